"""A recorded cassette replays a whole run with no provider at all: identical results and costs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from orchestrator.core.records import RunStatus
from orchestrator.providers.base import ModelRequest, ModelResponse
from orchestrator.providers.cassette import Cassette, RecordingProvider, ReplayProvider
from orchestrator.providers.offline import OfflineProvider

from .template_world import TemplateWorld


class HostedStandIn:
    """Answers like a hosted model would (not labelled offline), with its usage: what gets recorded."""

    name = "anthropic"
    model = "claude-sonnet-4-5"

    def complete(self, request: ModelRequest) -> ModelResponse:
        answer = OfflineProvider().complete(request)
        return replace(answer, provider=self.name, model=self.model, offline=False)


def test_a_recorded_run_replays_with_identical_results_and_costs(tmp_path: Path) -> None:
    cassette = Cassette(str(tmp_path / "run.jsonl"))
    # Given a run recorded against the (stand-in) hosted provider
    # (the release names its version: without one it is derived from the run id, and the prompt with it)
    inputs = {"deployment": {"version": "2.0.0"}}
    recorded = TemplateWorld(
        "feature_delivery", inputs=inputs, provider=RecordingProvider(HostedStandIn(), cassette)
    )
    assert recorded.run().status is RunStatus.SUCCEEDED
    model_steps = [s.name for s in recorded.template.agent_steps() if recorded.result(s.name).metadata.model]

    # When the same request runs through the replay provider alone
    replayed = TemplateWorld(
        "feature_delivery",
        inputs=inputs,
        provider=ReplayProvider(Cassette(str(tmp_path / "run.jsonl")), "anthropic/claude-sonnet-4-5"),
        run_id="01jzzzzzzzzzzzzzzzzzzzzzz8",
    )
    outcome = replayed.run()

    # Then every step has the recorded output, tokens and cost, and says it was replayed
    assert outcome.status is RunStatus.SUCCEEDED, outcome.error
    assert model_steps
    for step in model_steps:
        before, after = recorded.result(step), replayed.result(step)
        assert after.data == before.data
        assert after.token_usage == before.token_usage
        assert after.cost_usd == before.cost_usd > 0
        assert after.metadata.provider == "replay"
        assert after.metadata.model == "anthropic/claude-sonnet-4-5"
