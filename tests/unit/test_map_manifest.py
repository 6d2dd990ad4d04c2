"""Before a map: item references in an S3 manifest, inline when short, and the run's bound."""

from __future__ import annotations

import json

import pytest

from orchestrator.core.errors import InvalidRequest
from orchestrator.core.records import StepTaskInput
from orchestrator.runs.map_manifest import prepare_map

from .test_compensation import REFERENCE, World


def _prepare(world: World) -> dict[str, object]:
    return prepare_map(
        StepTaskInput.model_validate(REFERENCE | {"step": "execute"}),
        runs=world.runs,
        results=world.results,
        workspace=world.workspace,
        bucket="workspace-bucket",
    )


def _world(**options: object) -> World:
    return World(options)


def test_a_short_list_comes_back_inline_with_the_templates_bound() -> None:
    world = _world(offline={"list_items": 3})
    for step in ("intake", "plan"):
        world.run(step)
    prepared = _prepare(world)
    assert prepared["count"] == 3 and prepared["inline"] is True
    assert prepared["items"] == [{"index": 0}, {"index": 1}, {"index": 2}]
    assert prepared["max_concurrency"] == 8
    manifest = prepared["manifest"]
    assert isinstance(manifest, dict) and manifest["bucket"] == "workspace-bucket"
    assert json.loads(world.workspace.get(manifest["key"])) == prepared["items"]


def test_a_long_list_goes_through_the_manifest_only_and_a_run_may_lower_the_bound() -> None:
    world = _world(offline={"list_items": 45}, max_concurrency=2)
    for step in ("intake", "plan"):
        world.run(step)
    prepared = _prepare(world)
    assert prepared["count"] == 45 and prepared["inline"] is False and prepared["items"] == []
    assert prepared["max_concurrency"] == 2


def test_a_run_can_never_raise_the_templates_bound() -> None:
    world = _world(max_concurrency=40)
    for step in ("intake", "plan"):
        world.run(step)
    assert _prepare(world)["max_concurrency"] == 8


def test_a_map_before_its_source_step_ran_is_a_clear_error() -> None:
    world = _world()
    with pytest.raises(InvalidRequest, match="step 'plan' has no output to map over"):
        _prepare(world)
