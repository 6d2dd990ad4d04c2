"""The sales_call_analysis template in memory: transcript in, MEDDPIC with real evidence out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from orchestrator.agents.sales_calls.schemas import SalesCallInputs
from orchestrator.core.records import RunStatus
from orchestrator.providers.base import ModelRequest, ModelResponse
from orchestrator.providers.offline import OfflineProvider
from tests.fakes.run_data import InMemoryWorkspace

from .template_world import TENANT, TemplateWorld, assert_each_side_effect_step_undone

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "transcripts"
DISCOVERY = (SAMPLES / "discovery_call.txt").read_text()
THIN = (SAMPLES / "thin_call.txt").read_text()


def world(transcript: str = DISCOVERY, **kwargs: Any) -> TemplateWorld:
    return TemplateWorld(
        "sales_call_analysis", topic="Discovery call", inputs={"transcript": transcript}, **kwargs
    )


def test_a_discovery_call_is_qualified_with_quotes_that_really_occur_in_the_transcript() -> None:
    # Given a discovery call covering most of MEDDPIC, when it is analysed offline
    w = world()
    assert w.run().status is RunStatus.SUCCEEDED
    analysis = w.output("meddpic")
    assert analysis is not None
    # Then most elements are found, each with evidence quoted verbatim from the transcript
    assert analysis["completeness"] >= 0.75 and not analysis["flagged_for_review"]
    found = [name for name in ("economic_buyer", "competition", "identify_pain") if analysis[name]["found"]]
    assert found == ["economic_buyer", "competition", "identify_pain"]
    for name, element in analysis.items():
        if isinstance(element, dict):
            assert all(quote in DISCOVERY for quote in element["evidence"]), name
    # And the result is labelled offline, its confidence is the overall confidence
    result = w.result("meddpic")
    assert result.metadata.offline and result.confidence_score == analysis["overall_confidence"]
    # And the report and the CRM update were made
    report = w.artifact(f"sales/{w.run_id}/call-report.md")
    assert "| Economic Buyer |" in report
    crm = [e for e in w.publisher.events if e.event_type == "INTEGRATION_EXECUTED"]
    assert crm and crm[0].payload["integration"] == "crm"


def test_a_thin_call_is_flagged_for_review_and_missing_elements_are_warnings() -> None:
    w = world(THIN)
    assert w.run().status is RunStatus.SUCCEEDED
    result = w.result("meddpic")
    assert result.data is not None and result.data["flagged_for_review"]
    assert any(warning.startswith("missing MEDDPIC element:") for warning in result.warnings)
    assert any(warning.startswith("flagged for review") for warning in result.warnings)
    assert "Flagged for review" in w.artifact(f"sales/{w.run_id}/call-report.md")


class InventingModel:
    """A model that answers with the extractor's analysis plus one quote nobody said."""

    name = "openai"

    def complete(self, request: ModelRequest) -> ModelResponse:
        answer = json.loads(OfflineProvider().complete(request).text)
        if request.phase == "meddpic":
            answer["champion"]["evidence"] = ["I will personally push this through the board."]
            answer["champion"]["found"] = True
        return ModelResponse(text=json.dumps(answer), provider="openai", model="gpt-test")


def test_an_invented_quote_from_a_model_is_dropped_and_warned_about() -> None:
    w = world(provider=InventingModel())  # type: ignore[arg-type]
    assert w.run().status is RunStatus.SUCCEEDED
    result = w.result("meddpic")
    assert result.data is not None
    assert "I will personally push this through the board." not in json.dumps(result.data)
    assert not result.data["champion"]["found"] or result.data["champion"]["evidence"]
    assert any("champion" in warning and "dropped" in warning for warning in result.warnings)


def test_an_uploaded_transcript_is_read_from_the_tenants_uploads() -> None:
    workspace = InMemoryWorkspace()
    upload_id = "0123456789abcdef0123456789abcdef"
    workspace.put(f"{TENANT}/uploads/{upload_id}", DISCOVERY.encode(), "text/plain", {})
    w = TemplateWorld(
        "sales_call_analysis",
        topic="Discovery call",
        inputs={"transcript_upload_id": upload_id},
        workspace=workspace,
    )
    assert w.run().status is RunStatus.SUCCEEDED
    assert w.output("intake")["turns"] > 20  # type: ignore[index]


def test_a_missing_upload_or_bytes_that_are_not_text_fail_the_run_clearly() -> None:
    workspace = InMemoryWorkspace()
    workspace.put(f"{TENANT}/uploads/{'a' * 32}", b"\xff\xfe\x00bad", "text/plain", {})
    for upload_id, message in (("a" * 32, "not UTF-8"), ("b" * 32, "does not exist")):
        w = TemplateWorld(
            "sales_call_analysis", inputs={"transcript_upload_id": upload_id}, workspace=workspace
        )
        outcome = w.run()
        assert outcome.status is RunStatus.COMPENSATED and message in str(outcome.error)


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"transcript": "x", "transcript_upload_id": "a" * 32},
        {"transcript": "   "},
        {"transcript_upload_id": "../x"},
    ],
)
def test_inputs_need_exactly_one_transcript(inputs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SalesCallInputs.model_validate(inputs)


def test_each_side_effect_step_failing_undoes_everything_before_it() -> None:
    assert assert_each_side_effect_step_undone(lambda extra: world(options=extra)) == ["report"]
