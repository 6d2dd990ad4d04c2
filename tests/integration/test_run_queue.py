"""Runs past a tenant's concurrent-run limit wait in its queue (the API and the bus-triggered
functions in-process against moto): ``202 QUEUED`` with their place, shown by ``GET /runs``,
cancelled without ever starting, started oldest first when a run's execution ends (once, however
many ends race), ``429`` only past the plan's queue cap; another tenant is never held up.

The state machine registered for the templates runs nothing here: a run's execution is started
(``list_executions`` shows it) and its end is what the test says, as the execution-ended handler
receives it from Step Functions."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import boto3
import pytest

from infra.local.tokens import LocalSigningKey
from orchestrator.core.records import RunStatus, utc_now
from orchestrator.runs.launch import execution_input
from orchestrator.runs.queue import PROMOTED_START_GRACE_SECONDS, promote_due
from tests.fakes.lambda_context import FakeLambdaContext
from tests.integration.conftest import onboard
from tests.integration.test_api_handler import call

BODY = {"template": "generic", "topic": "a todo app"}


def _started_run_ids() -> list[str]:
    """The run ids of every execution started (the execution's name is the run id)."""
    sfn = boto3.client("stepfunctions")
    names: list[str] = []
    for machine in sfn.list_state_machines()["stateMachines"]:
        executions = sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
        names.extend(execution["name"] for execution in executions)
    return names


def _end(api: Any, tenant_id: str, run_id: str, status: str = "SUCCEEDED") -> dict[str, Any]:
    """The run ends (as its state machine records it) and Step Functions tells of its execution's end."""
    from handlers import execution_ended

    container = api.container
    run = container.runs.get(tenant_id, run_id, consistent=True)
    if status == "SUCCEEDED":
        container.runs.update_status(
            tenant_id, run_id, RunStatus.SUCCEEDED, finished_at=utc_now().isoformat()
        )
    event = {
        "version": "0",
        "id": f"end-{run_id}",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": "123456789012",
        "time": "2026-05-01T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"status": status, "input": json.dumps(execution_input(run))},
    }
    answer: dict[str, Any] = execution_ended.handler(event, FakeLambdaContext(), container=container)
    return answer


def _post(api: Any, token: str, **headers: str) -> tuple[int, Any, dict[str, str]]:
    return call(api, "POST", "/runs", token=token, body=BODY, headers=headers or None)


def test_runs_past_the_limit_are_queued_with_their_place_and_listed(
    api: Any, signing_key: LocalSigningKey
) -> None:
    # Given a tenant allowed one run in progress, running one
    onboard("single", max_concurrent_runs=1)
    token = signing_key.mint(tenant_id="single", role="user", subject="u")
    first = _post(api, token)
    assert first[0] == 202 and first[1]["status"] == "PENDING" and "queue_position" not in first[1]

    # When it posts three more
    queued = [_post(api, token) for _ in range(3)]

    # Then each is accepted QUEUED with its place, and none of them started
    assert [(status, body["status"], body["queue_position"]) for status, body, _ in queued] == [
        (202, "QUEUED", 1),
        (202, "QUEUED", 2),
        (202, "QUEUED", 3),
    ]
    ids = [body["run_id"] for _, body, _ in queued]
    assert _started_run_ids() == [first[1]["run_id"]]
    # And GET /runs and GET /runs/{id} show them QUEUED at their place, with when they were queued
    status, listing, _ = call(api, "GET", "/runs", token=token)
    assert status == 200
    places = {run["run_id"]: run.get("queue_position") for run in listing["runs"]}
    assert places == {first[1]["run_id"]: None, ids[0]: 1, ids[1]: 2, ids[2]: 3}
    status, view, _ = call(api, "GET", f"/runs/{ids[1]}", token=token)
    assert (status, view["status"], view["queue_position"]) == (200, "QUEUED", 2)
    assert view["queued_at"] and view["started_at"] is None
    status, only_queued, _ = call(api, "GET", "/runs?status=QUEUED", token=token)
    assert [run["run_id"] for run in only_queued["runs"]] == ids[::-1]  # newest first
    # And the tenant's view counts them
    tenant = call(api, "GET", "/tenant", token=token)[1]
    assert (tenant["active_runs"], tenant["queued_runs"]) == (1, 3)
    # And the bus was told each was queued
    queued_events = [e for e in api.aws.published() if e["detail-type"] == "ORCHESTRATION_QUEUED"]
    assert sorted(e["detail"]["run_id"] for e in queued_events) == sorted(ids)


def test_a_queued_run_is_cancelled_without_ever_starting(api: Any, signing_key: LocalSigningKey) -> None:
    # Given a tenant's run in progress and two queued behind it
    onboard("canceller", max_concurrent_runs=1)
    token = signing_key.mint(tenant_id="canceller", role="user", subject="u")
    running = _post(api, token)[1]["run_id"]
    waiting = [_post(api, token)[1]["run_id"] for _ in range(2)]

    # When the first queued run is cancelled
    status, body, _ = call(api, "POST", f"/runs/{waiting[0]}/cancel", token=token)

    # Then it is CANCELLED at once, the one behind it moves up, and a second cancel is a 409
    assert (status, body["status"]) == (202, "CANCELLED"), body
    assert call(api, "GET", f"/runs/{waiting[1]}", token=token)[1]["queue_position"] == 1
    view = call(api, "GET", f"/runs/{waiting[0]}", token=token)[1]
    assert view["status"] == "CANCELLED" and view.get("queue_position") is None and view["finished_at"]
    assert call(api, "POST", f"/runs/{waiting[0]}/cancel", token=token)[0] == 409
    # And when the run in progress ends, the next queued run starts; the cancelled one never does
    assert _end(api, "canceller", running)["started_from_queue"] == [waiting[1]]
    assert sorted(_started_run_ids()) == sorted([running, waiting[1]])
    cancelled = [e for e in api.aws.published() if e["detail-type"] == "ORCHESTRATION_CANCELLED"]
    assert [(e["detail"]["run_id"], e["detail"]["payload"]["started"]) for e in cancelled] == [
        (waiting[0], False)
    ]


def test_past_the_queue_cap_a_run_is_refused_with_429_and_retry_after(
    api: Any, signing_key: LocalSigningKey
) -> None:
    # Given a tenant allowed 1 run in progress and 2 waiting
    onboard("capped-queue", max_concurrent_runs=1, max_queued_runs=2)
    token = signing_key.mint(tenant_id="capped-queue", role="user", subject="u")
    assert [_post(api, token)[1]["status"] for _ in range(3)] == ["PENDING", "QUEUED", "QUEUED"]

    # When it posts one more
    status, body, headers = _post(api, token)

    # Then it is refused: which limit, and when to retry; nothing was stored for it
    assert status == 429 and body["error"] == "TenantLimitReached", body
    assert body["limit"] == "max_queued_runs" and int(headers["retry-after"]) >= 1
    assert len(call(api, "GET", "/runs", token=token)[1]["runs"]) == 3
    tenant = api.container.tenants.get("capped-queue")
    assert (tenant.active_runs, tenant.queued_runs) == (1, 2)


def test_an_ended_run_starts_the_oldest_queued_run_and_another_tenant_is_never_queued(
    api: Any, signing_key: LocalSigningKey, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a tenant at its limit of 2 with 2 runs queued
    onboard("pair", max_concurrent_runs=2)
    token = signing_key.mint(tenant_id="pair", role="user", subject="u")
    running = [_post(api, token)[1]["run_id"] for _ in range(2)]
    waiting = [_post(api, token)[1]["run_id"] for _ in range(2)]
    # Then another tenant's run starts at once
    other = signing_key.mint(tenant_id="elsewhere", role="user", subject="u")
    assert _post(api, other)[1]["status"] == "PENDING"

    # When one of the tenant's runs fails (its execution ends FAILED without recording it)
    capsys.readouterr()
    outcome = _end(api, "pair", running[1], status="FAILED")

    # Then the oldest queued run starts, the other keeps waiting, first now
    assert outcome == {"run_id": running[1], "marked": True, "started_from_queue": [waiting[0]]}
    started = api.container.runs.get("pair", waiting[0])
    assert started.status is RunStatus.PENDING and started.queued_at is not None
    assert waiting[0] in _started_run_ids() and waiting[1] not in _started_run_ids()
    assert call(api, "GET", f"/runs/{waiting[1]}", token=token)[1]["queue_position"] == 1
    # And how long it waited is a metric (EMF), for all tenants together
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "QueueWaitTime" in line]
    assert record["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "QueueWaitTime", "Unit": "Seconds"}]
    assert record["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service"]]
    assert record["run_id"] == waiting[0] and 0 <= record["QueueWaitTime"][0] < 60

    # When the other run succeeds, the last queued run starts; an end with nothing queued starts nothing
    assert _end(api, "pair", running[0])["started_from_queue"] == [waiting[1]]
    assert _end(api, "pair", waiting[0])["started_from_queue"] == []
    assert sorted(api.container.tenants.active_run_ids("pair")) == sorted([waiting[1]])


@pytest.mark.usefixtures("one_dynamodb_request_at_a_time")
def test_ends_and_passes_racing_never_start_a_queued_run_twice_nor_exceed_the_limit(
    api: Any, signing_key: LocalSigningKey
) -> None:
    # Given a tenant at its limit of 3 with 6 runs queued
    onboard("racy", max_concurrent_runs=3)
    token = signing_key.mint(tenant_id="racy", role="user", subject="u")
    running = [_post(api, token)[1]["run_id"] for _ in range(3)]
    waiting = [_post(api, token)[1]["run_id"] for _ in range(6)]
    container = api.container
    starts: list[str] = []
    real_start = container.starter.start

    def counted_start(template: str, run_id: str, state_input: dict[str, Any]) -> str:
        arn = real_start(template, run_id, state_input)
        starts.append(run_id)  # only a start that made a new execution gets here
        return arn

    container.starter.start = counted_start  # type: ignore[method-assign]
    # When two of its runs end at the same moment, while four more promotion passes run
    for run_id in running[:2]:
        container.runs.update_status("racy", run_id, RunStatus.SUCCEEDED, finished_at=utc_now().isoformat())

    def end_or_pass(i: int) -> Any:
        if i < 2:
            return _end(api, "racy", running[i])
        return promote_due(
            "racy",
            tenants=container.tenants,
            runs=container.runs,
            starter=container.starter,
            publisher=container.publisher,
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(end_or_pass, range(6)))

    # Then exactly the two oldest queued runs started, once each, and 3 slots are held
    assert sorted(starts) == sorted(waiting[:2])
    statuses = [container.runs.get("racy", run_id).status for run_id in waiting]
    assert statuses == [RunStatus.PENDING] * 2 + [RunStatus.QUEUED] * 4
    assert sorted(container.tenants.active_run_ids("racy")) == sorted([running[2], *waiting[:2]])
    tenant = container.tenants.get("racy")
    assert (tenant.active_runs, tenant.queued_runs) == (3, 4)
    assert [container.tenants.queue_position("racy", run_id) for run_id in waiting[2:]] == [1, 2, 3, 4]


def test_a_promotion_whose_start_was_lost_heals_at_the_next_start(
    api: Any, signing_key: LocalSigningKey
) -> None:
    # Given a tenant at its limit of 1 with a run queued
    onboard("lossy", max_concurrent_runs=1)
    token = signing_key.mint(tenant_id="lossy", role="user", subject="u")
    running = _post(api, token)[1]["run_id"]
    waiting = _post(api, token)[1]["run_id"]
    tenants = api.container.tenants
    # When its run ends but the function stops after giving the slot back and moving the queued run
    # to it (the promotion's transaction), before starting it
    api.container.runs.update_status("lossy", running, RunStatus.SUCCEEDED, finished_at=utc_now().isoformat())
    assert tenants.release_run_slot("lossy", running)
    tenants.promote_queued_run("lossy", waiting)
    assert waiting not in _started_run_ids()
    # (a minute ago: a pass that finds it sooner leaves it to the promotion that may be starting it)
    a_minute_ago = (utc_now() - timedelta(seconds=PROMOTED_START_GRACE_SECONDS + 1)).isoformat()
    api.container.runs.update_fields(
        "lossy", waiting, allowed_from=[RunStatus.QUEUED], updated_at=a_minute_ago
    )

    # Then the tenant's next start (queued behind it) finds it and starts it
    later = _post(api, token)[1]
    assert later["status"] == "QUEUED" and later["queue_position"] == 1
    assert waiting in _started_run_ids()
    assert api.container.runs.get("lossy", waiting).status is RunStatus.PENDING


def test_a_retried_post_with_the_same_key_returns_the_same_queued_run(
    api: Any, signing_key: LocalSigningKey
) -> None:
    onboard("retrier", max_concurrent_runs=1)
    token = signing_key.mint(tenant_id="retrier", role="user", subject="u")
    assert _post(api, token)[0] == 202
    first = _post(api, token, **{"Idempotency-Key": "order-42"})
    again = _post(api, token, **{"Idempotency-Key": "order-42"})
    assert first[0] == again[0] == 202
    assert first[1]["status"] == again[1]["status"] == "QUEUED"
    assert again[1]["run_id"] == first[1]["run_id"] and again[1]["queue_position"] == 1
    assert again[2].get("idempotent-replayed") == "true"
    assert api.container.tenants.get("retrier").queued_runs == 1


def test_an_event_started_run_past_the_limit_is_queued(api: Any, signing_key: LocalSigningKey) -> None:
    from handlers import start_run

    onboard("from-events", max_concurrent_runs=1)
    token = signing_key.mint(tenant_id="from-events", role="user", subject="u")
    running = _post(api, token)[1]["run_id"]
    request = {
        "version": "0",
        "id": "7a3c1f7e-0000-4000-8000-000000000042",
        "detail-type": "OrchestrationRequested",
        "source": "orchestrator.tenant.from-events",
        "account": "123456789012",
        "time": "2026-05-01T10:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"template": "generic", "topic": "from the CRM"},
    }
    outcome = start_run.handler(request, FakeLambdaContext(), container=api.container)
    again = start_run.handler(request, FakeLambdaContext(), container=api.container)  # redelivered
    assert outcome["status"] == "QUEUED" and again == outcome
    assert api.container.tenants.queue_position("from-events", outcome["run_id"]) == 1
    assert re.fullmatch(r"[0-9a-z]{26}", outcome["run_id"])
    assert _end(api, "from-events", running)["started_from_queue"] == [outcome["run_id"]]


def test_the_openapi_document_shows_the_queued_answer(api: Any) -> None:
    status, doc, _ = call(api, "GET", "/openapi.json")
    assert status == 200
    answers = doc["paths"]["/runs"]["post"]["responses"]
    assert "QUEUED" in answers["202"]["description"] and "429" in answers
    accepted = doc["components"]["schemas"]["RunAccepted"]
    assert "queue_position" in accepted["properties"] and "queue_position" not in accepted["required"]
    assert {"status": "QUEUED", "queue_position": 2}.items() <= accepted["examples"][1].items()
    assert "QUEUED" in doc["components"]["schemas"]["RunStatus"]["enum"]
