"""The bus-triggered handlers in-process against moto, given events as EventBridge delivers them.

The audit writer stores a batch of lifecycle events from its queue exactly as they were published
(a malformed one is reported back alone); the execution-ended handler marks a run whose execution
was stopped (and starts queued runs: ``test_run_queue.py``); malformed events are refused before
anything is written (``ValidationError``, the error Lambda's retries and the dead-letter queue show).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from pydantic import ValidationError

from infra.local.queue_pollers import sqs_event
from orchestrator.core import constants
from orchestrator.core.errors import RepositoryError
from orchestrator.core.events import RunIds, new_envelope
from orchestrator.core.records import Run, RunStatus
from tests.fakes.lambda_context import FakeLambdaContext
from tests.integration.conftest import MotoAws

RUN_ID = "01jabcdefghjkmnpqrstvwxyz0"
IDS = RunIds(tenant_id="acme", run_id=RUN_ID, correlation_id="corr-1")
ACCOUNT = "123456789012"


def _as_lambda_receives(tapped: dict[str, Any]) -> dict[str, Any]:
    """An event read from an SQS tap, as a Lambda target receives it: moto's SQS delivery leaves
    out the ``account`` every EventBridge event carries (its Lambda delivery keeps it)."""
    return {"account": ACCOUNT} | tapped


def _delivered_lifecycle_event(aws: MotoAws) -> tuple[Any, dict[str, Any]]:
    envelope = new_envelope(
        constants.PHASE_COMPLETED, IDS, phase="design", payload={"step": "design", "cost_usd": 0.25}
    )
    aws.container.publisher.publish(envelope)
    (tapped,) = aws.published()
    return envelope, _as_lambda_receives(tapped)


def _audit_batch(*bus_events: dict[str, Any]) -> dict[str, Any]:
    """The SQS event the audit writer's event source gives it: one record per bus event."""
    messages = [
        {"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": json.dumps(e)}
        for i, e in enumerate(bus_events)
    ]
    return sqs_event(messages, f"arn:aws:sqs:us-east-1:{ACCOUNT}:audit", "us-east-1")


def test_the_audit_writer_stores_a_batch_of_published_events_once_exactly_as_they_were_made(
    aws: MotoAws,
) -> None:
    from handlers import audit_writer

    envelope, delivered = _delivered_lifecycle_event(aws)
    second, delivered_second = _delivered_lifecycle_event(aws)
    assert delivered["detail"] == json.loads(envelope.model_dump_json())

    first = audit_writer.handler(
        _audit_batch(delivered, delivered_second), FakeLambdaContext(), container=aws.container
    )
    as_text = delivered | {"detail": json.dumps(delivered["detail"])}  # a detail as JSON text is read too
    again = audit_writer.handler(_audit_batch(as_text), FakeLambdaContext(), container=aws.container)

    assert first == again == {"batchItemFailures": []}
    stored, _ = aws.container.events.list_for_run("acme", RUN_ID, 10, None)
    assert sorted(event.model_dump_json() for event in stored) == sorted(
        e.model_dump_json() for e in (envelope, second)
    )


def _without(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda event: {k: v for k, v in event.items() if k != key}


@pytest.mark.parametrize(
    "broken",
    [
        lambda e: e | {"detail": _without("tenant_id")(e["detail"])},
        _without("detail"),
        lambda e: e | {"detail": "{not json"},
        _without("source"),
    ],
    ids=["no-tenant", "no-detail", "detail-not-json", "no-source"],
)
def test_a_malformed_lifecycle_event_is_reported_back_alone_and_the_rest_of_its_batch_is_stored(
    aws: MotoAws, broken: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    from handlers import audit_writer

    envelope, delivered = _delivered_lifecycle_event(aws)
    _, other = _delivered_lifecycle_event(aws)

    answer = audit_writer.handler(
        _audit_batch(delivered, broken(other)), FakeLambdaContext(), container=aws.container
    )

    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}  # only it comes back
    stored, _ = aws.container.events.list_for_run("acme", RUN_ID, 10, None)
    assert [event.model_dump_json() for event in stored] == [envelope.model_dump_json()]


def test_a_batch_of_only_malformed_events_comes_back_whole_and_stores_nothing(aws: MotoAws) -> None:
    from handlers import audit_writer

    _, delivered = _delivered_lifecycle_event(aws)

    batch = _audit_batch(_without("detail")(delivered), _without("source")(delivered))
    answer = audit_writer.handler(batch, FakeLambdaContext(), container=aws.container)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m1"}]}
    assert aws.container.events.list_for_run("acme", RUN_ID, 10, None) == ([], None)


def test_an_event_delivered_twice_in_one_batch_is_stored_once(aws: MotoAws) -> None:
    from handlers import audit_writer

    envelope, delivered = _delivered_lifecycle_event(aws)

    answer = audit_writer.handler(
        _audit_batch(delivered, delivered), FakeLambdaContext(), container=aws.container
    )
    assert answer == {"batchItemFailures": []}
    stored, _ = aws.container.events.list_for_run("acme", RUN_ID, 10, None)
    assert [event.model_dump_json() for event in stored] == [envelope.model_dump_json()]


def test_a_tenant_whose_write_fails_gets_its_records_back_and_the_others_are_stored(
    aws: MotoAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers import audit_writer

    envelope, delivered = _delivered_lifecycle_event(aws)
    globex = delivered | {"detail": delivered["detail"] | {"tenant_id": "globex", "event_id": "e-globex"}}
    events = aws.container.events
    write = events.append_all

    def refusing_globex(batch: list[Any]) -> None:
        if any(e.tenant_id == "globex" for e in batch):
            raise RepositoryError("throttled")
        write(batch)

    monkeypatch.setattr(events, "append_all", refusing_globex)
    answer = audit_writer.handler(
        _audit_batch(globex, delivered), FakeLambdaContext(), container=aws.container
    )

    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    stored, _ = events.list_for_run("acme", RUN_ID, 10, None)
    assert [event.model_dump_json() for event in stored] == [envelope.model_dump_json()]


def _status_change(status: str, execution_input: str) -> dict[str, Any]:
    """A Step Functions "Execution Status Change" event as the default bus delivers it."""
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="ended-tap")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events")
    events.put_rule(Name="ended", EventPattern=json.dumps({"source": ["aws.states"]}))
    events.put_targets(Rule="ended", Targets=[{"Id": "tap", "Arn": queue_arn}])
    execution = "arn:aws:states:us-east-1:123456789012:execution:AiOrchestrator-generic:x"
    detail = {
        "executionArn": execution,
        "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:AiOrchestrator-generic",
        "name": "x",
        "status": status,
        "startDate": 1767225600000,
        "stopDate": 1767225660000,
        "input": execution_input,
        "output": None,
        "error": "Operator",
        "cause": "stuck",
    }
    events.put_events(
        Entries=[
            {
                "Source": "aws.states",
                "DetailType": "Step Functions Execution Status Change",
                "Detail": json.dumps(detail),
                "Resources": [execution],
            }
        ]
    )
    (message,) = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    return _as_lambda_receives(json.loads(message["Body"]))


REFERENCES = json.dumps({**vars(IDS), "template": "generic"})


def test_a_stopped_execution_marks_its_run(aws: MotoAws) -> None:
    from handlers import execution_ended

    aws.container.runs.create(
        Run(
            tenant_id="acme",
            run_id=RUN_ID,
            template="generic",
            topic="t",
            correlation_id="corr-1",
            status=RunStatus.RUNNING,
        )
    )

    outcome = execution_ended.handler(
        _status_change("ABORTED", REFERENCES), FakeLambdaContext(), container=aws.container
    )

    assert outcome == {"run_id": RUN_ID, "marked": True, "started_from_queue": []}
    run = aws.container.runs.get("acme", RUN_ID)
    assert run.status is RunStatus.COMPENSATION_FAILED
    assert run.compensation_error is not None
    assert run.compensation_error["name"] == "ExecutionAborted"
    assert "(Operator: stuck)" in run.compensation_error["message"]


@pytest.mark.parametrize(
    ("status", "execution_input", "named"),
    [
        ("ABORTED", "{not json", "detail.input"),
        ("ABORTED", json.dumps({"tenant_id": "acme"}), "run_id"),
        ("RUNNING", REFERENCES, "status"),
    ],
    ids=["input-not-json", "input-without-the-run", "not-an-end"],
)
def test_a_malformed_status_change_is_refused_and_no_run_is_touched(
    aws: MotoAws, status: str, execution_input: str, named: str
) -> None:
    from handlers import execution_ended

    with pytest.raises(ValidationError, match=named.replace(".", r"\.")):
        execution_ended.handler(
            _status_change(status, execution_input), FakeLambdaContext(), container=aws.container
        )
    assert aws.container.runs.list("acme", 10, None) == ([], None)


def test_a_run_request_without_a_topic_or_from_no_tenant_starts_nothing(aws: MotoAws) -> None:
    from handlers import start_run

    request = {
        "version": "0",
        "id": "7a3c1f7e-0000-4000-8000-000000000001",
        "detail-type": "OrchestrationRequested",
        "source": "orchestrator.tenant.acme",
        "account": "123456789012",
        "time": "2026-05-01T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"template": "generic"},
    }

    with pytest.raises(ValidationError, match=r"detail\.topic"):
        start_run.handler(request, FakeLambdaContext(), container=aws.container)
    with pytest.raises(start_run.RequestRefused, match="not a tenant's source"):
        start_run.handler(
            request | {"source": "crm.integration", "detail": {"topic": "t"}},
            FakeLambdaContext(),
            container=aws.container,
        )
    assert aws.container.runs.list("acme", 10, None) == ([], None)
