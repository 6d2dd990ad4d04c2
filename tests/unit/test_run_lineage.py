"""A run's lineage names, for every step result, the commands it ran with the object versions they
wrote and the events it published; a resumed run's reused steps show the commands that applied
their side effects again, as new versions."""

from __future__ import annotations

from orchestrator.core.records import RunStatus
from orchestrator.runs.lineage import get_lineage
from orchestrator.runs.resume import ResumeRequest, resume_run
from tests.fakes.run_data import FakeStarter, InMemoryEventRepository

from .template_world import TENANT, TemplateWorld


def _trail(world: TemplateWorld) -> InMemoryEventRepository:
    """The audit table, as the audit function fills it from the bus."""
    events = InMemoryEventRepository()
    for event in world.publisher.events:
        events.append(event)
    return events


def _lineage(world: TemplateWorld, run_id: str) -> dict[str, dict]:  # type: ignore[type-arg]
    lineage = get_lineage(
        TENANT,
        run_id,
        runs=world.runs,
        results=world.results,
        commands=world.command_log,
        events=_trail(world),
    )
    return {entry["key"]: entry for entry in lineage["steps"]}


def test_each_result_names_its_commands_with_object_versions_and_its_events() -> None:
    # Given a web_development run that succeeded (its documents written to the workspace)
    world = TemplateWorld("web_development")
    assert world.run().status is RunStatus.SUCCEEDED
    # When its lineage is read
    steps = _lineage(world, world.run_id)
    # Then each document a step wrote is a command with the key and version it wrote
    written = [
        command for command in steps["requirements"]["commands"] if command["kind"] == "write_artifact"
    ]
    assert written and all(command["status"] == "COMPLETED" for command in written)
    for command in written:
        versions = [version for key, version, _ in world.workspace.versions(command["object"]["key"])]
        assert command["object"]["version_id"] in versions
    # And the events it published, in time order, ending with its completion
    types = [event["event_type"] for event in steps["requirements"]["events"]]
    assert types[0] == "PHASE_STARTED" and types[-1] == "PHASE_COMPLETED"
    deployment_events = {event["event_type"] for event in steps["deployment"]["events"]}
    assert "INTEGRATION_EXECUTED" in deployment_events  # the release event on the bus


def test_a_reused_step_shows_the_commands_that_applied_its_side_effects_again() -> None:
    # Given a web_development run failed at deployment (undone), resumed without the failure
    world = TemplateWorld("web_development", options={"simulate_failure": {"step": "deployment"}})
    original = world.run_id
    assert world.run().status is RunStatus.COMPENSATED
    before = _lineage(world, original)
    resumed = resume_run(
        tenant_id=TENANT,
        run_id=original,
        request=ResumeRequest.model_validate({"options": {}}),
        correlation_id="corr-resume",
        runs=world.runs,
        results=world.results,
        starter=FakeStarter(),
        publisher=world.publisher,
    ).run
    world.run_id = resumed.run_id
    assert world.run().status is RunStatus.SUCCEEDED
    # When the lineage of both runs is read
    after = _lineage(world, resumed.run_id)
    # Then the original's commands are undone, and the reused step wrote its documents again
    assert {command["status"] for command in before["requirements"]["commands"]} == {"UNDONE"}
    assert after["requirements"]["source"] == "reused"
    again = [command["object"] for command in after["requirements"]["commands"]]
    first = [command["object"] for command in before["requirements"]["commands"]]
    assert again and len(again) == len(first)
    assert all(new["version_id"] != old["version_id"] for new, old in zip(again, first, strict=True))
    assert all(new["key"].startswith(f"{TENANT}/projects/{resumed.run_id}/") for new in again)
    # And its events are the new run's
    assert [event["event_type"] for event in after["requirements"]["events"]][-1] == "PHASE_COMPLETED"
