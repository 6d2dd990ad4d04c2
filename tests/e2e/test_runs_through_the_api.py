"""Whole runs: success, compensation at every phase, retries, event-started runs, tenancy."""

from __future__ import annotations

import json
import time

import pytest

from infra.local.cloud import LocalCloud
from orchestrator.templates.graph import TEMPLATES
from tests.e2e.conftest import Client, holds_for

GENERIC = TEMPLATES["generic"]

PHASES = [step.name for step in GENERIC.steps]


def test_a_generic_run_succeeds_with_seven_offline_phases(acme: Client, cloud: LocalCloud) -> None:
    # Given a tenant with a token, When it starts a generic run with its own correlation id
    run_id = acme.start(
        {"template": "generic", "topic": "a meal planner"}, headers={"X-Correlation-Id": "e2e-corr-1"}
    )
    view = acme.wait(run_id)

    # Then the run succeeds with seven phases, each labelled as produced offline
    assert view["status"] == "SUCCEEDED", view.get("error")
    assert [p["step"] for p in view["steps"]] == PHASES
    for phase in view["steps"]:
        assert phase["status"] == "SUCCEEDED"
        assert phase["metadata"]["provider"] == "offline" and phase["metadata"]["offline"] is True
        assert phase["metadata"]["attempts"] == 1 and phase["summary"].startswith("[offline]")
        assert phase["data"]["deliverables"]
    assert view["compensated_steps"] == [] and view["duration_ms"] > 0
    assert view["execution_arn"].endswith(f":{run_id}")
    assert view["execution_console_url"].startswith("https://us-east-1.console.aws.amazon.com/states/")

    # And the audit trail holds the lifecycle, all with the correlation id born at the API
    events = acme.events(
        run_id, "USER_ACTION", "ORCHESTRATION_STARTED", *["PHASE_COMPLETED"] * 7, "ORCHESTRATION_COMPLETED"
    )
    types = [e["event_type"] for e in events if e["event_type"] != "USER_ACTION"]
    assert types[0] == "ORCHESTRATION_STARTED" and types.count("PHASE_COMPLETED") == 7
    (write,) = [e for e in events if e["event_type"] == "USER_ACTION"]  # the API write that started it
    assert write["payload"]["action"] == "start_run" and write["payload"]["outcome"] == "accepted"
    assert {e["correlation_id"] for e in events} == {"e2e-corr-1"}

    # And the same correlation id is in the logs of every function the run went through
    logs = {path.stem: path.read_text() for path in (cloud.state_dir / "logs").glob("*.log")}
    carrying = {name for name, text in logs.items() if "e2e-corr-1" in text}
    assert any("Api" in name for name in carrying)
    assert any("RunStatus" in name for name in carrying)
    assert any("AuditWriter" in name for name in carrying)
    for phase in PHASES:
        assert any(f"Agent{phase}" in name for name in carrying), phase

    # And the execution is a real Step Functions execution named after the run
    sfn = cloud.client("stepfunctions")
    execution = sfn.describe_execution(executionArn=view["execution_arn"])
    assert execution["status"] == "SUCCEEDED" and execution["name"] == run_id


def test_a_failure_at_every_phase_is_compensated_in_reverse_order(acme: Client, cloud: LocalCloud) -> None:
    # Given one run per phase, each failing for good at that phase
    runs = {
        phase: acme.start({"topic": f"fails at {phase}", "options": {"simulate_failure": {"step": phase}}})
        for phase in PHASES
    }
    for index, (phase, run_id) in enumerate(runs.items()):
        view = acme.wait(run_id)
        completed = PHASES[:index]
        # Then each ends COMPENSATED, having undone the completed phases newest first
        assert view["status"] == "COMPENSATED", (phase, view.get("error"))
        assert view["failed_step"] == phase
        assert view["error"]["name"] == "SimulatedPhaseFailure"
        assert view["compensated_steps"] == list(reversed(completed))
        # And nothing the run produced is left behind
        by_phase = {p["step"]: p for p in view["steps"]}
        for name in completed:
            assert by_phase[name]["status"] == "COMPENSATED" and by_phase[name]["data"] is None
        assert by_phase[phase]["status"] == "FAILED" and by_phase[phase]["data"] is None
        assert all(by_phase[name]["status"] == "NOT_STARTED" for name in PHASES[index + 1 :])
        events = acme.events(
            run_id, "ERROR_OCCURRED", *["PHASE_COMPENSATED"] * len(completed), "ORCHESTRATION_COMPENSATED"
        )
        types = [e["event_type"] for e in events]
        assert "ERROR_OCCURRED" in types
        undone = sorted(
            (e for e in events if e["event_type"] == "PHASE_COMPENSATED"), key=lambda e: e["timestamp"]
        )
        assert [e["phase"] for e in undone] == list(reversed(completed))
        execution = cloud.client("stepfunctions").describe_execution(executionArn=view["execution_arn"])
        assert execution["status"] == "FAILED"


def test_a_transient_failure_is_retried_without_compensation(acme: Client, cloud: LocalCloud) -> None:
    failure = {"step": "research", "times": 2, "error": "ProviderThrottled"}
    run_id = acme.start({"topic": "flaky provider", "options": {"simulate_failure": failure}})
    view = acme.wait(run_id)
    assert view["status"] == "SUCCEEDED"
    research = next(p for p in view["steps"] if p["step"] == "research")
    assert research["metadata"]["attempts"] == 3 and research["status"] == "SUCCEEDED"
    assert view["compensated_steps"] == []
    history = cloud.client("stepfunctions").get_execution_history(executionArn=view["execution_arn"])[
        "events"
    ]
    failed = [e for e in history if e["type"] == "TaskFailed"]
    assert len(failed) == 2 and all(
        e["taskFailedEventDetails"]["error"] == "ProviderThrottled" for e in failed
    )


def test_a_transient_failure_that_never_recovers_ends_compensated(acme: Client) -> None:
    failure = {"step": "design", "error": "ProviderUnavailable"}
    run_id = acme.start({"topic": "provider down", "options": {"simulate_failure": failure}})
    view = acme.wait(run_id, timeout=120)
    assert view["status"] == "COMPENSATED"
    assert view["error"]["name"] == "ProviderUnavailable"
    design = next(p for p in view["steps"] if p["step"] == "design")
    assert design["metadata"]["attempts"] == 1 + GENERIC.retry.max_attempts
    assert view["compensated_steps"] == ["research", "ideation"]


def test_an_orchestration_requested_event_starts_a_run(cloud: LocalCloud) -> None:
    tenant = Client(cloud, cloud.mint_token(tenant_id="initech", role="viewer"))
    bus = cloud.physical_id("EventsBus")
    cloud.client("events").put_events(
        Entries=[
            {
                "Source": "orchestrator.tenant.initech",
                "DetailType": "OrchestrationRequested",
                "EventBusName": bus,
                "Detail": json.dumps({"template": "generic", "topic": "TPS reports"}),
            }
        ]
    )
    deadline = time.time() + 30
    runs: list[dict[str, str]] = []
    while time.time() < deadline and not runs:
        runs = tenant.request("GET", "/runs").json()["runs"]
        time.sleep(0.2)
    assert len(runs) == 1 and runs[0]["topic"] == "TPS reports"
    view = tenant.wait(runs[0]["run_id"])
    assert view["status"] == "SUCCEEDED"
    assert [p["step"] for p in view["steps"]] == [s.name for s in TEMPLATES["generic"].steps]
    assert view["created_by"].startswith("event:")


def test_an_event_naming_another_tenant_or_from_another_source_starts_nothing(cloud: LocalCloud) -> None:
    hooli = Client(cloud, cloud.mint_token(tenant_id="hooli", role="viewer"))
    victim = Client(cloud, cloud.mint_token(tenant_id="victim", role="viewer"))
    bus = cloud.physical_id("EventsBus")
    request = {"DetailType": "OrchestrationRequested", "EventBusName": bus}
    cloud.client("events").put_events(
        Entries=[
            # hooli's producer names another tenant: refused and audited under hooli
            request
            | {
                "Source": "orchestrator.tenant.hooli",
                "Detail": json.dumps({"tenant_id": "victim", "template": "generic", "topic": "not yours"}),
            },
            # a source that is no tenant's: the rule does not route it at all
            request
            | {
                "Source": "crm.integration",
                "Detail": json.dumps(
                    {"tenant_id": "victim", "template": "generic", "topic": "not yours either"}
                ),
            },
        ]
    )
    deadline = time.time() + 30
    refused: list[dict[str, object]] = []
    dynamodb = cloud.client("dynamodb")
    while time.time() < deadline and not refused:
        items = dynamodb.scan(TableName=cloud.physical_id("TablesEvents"))["Items"]
        refused = [i for i in items if i["event_type"]["S"] == "RUN_REQUEST_REFUSED"]
        time.sleep(0.3)
    assert refused and refused[0]["tenant_id"]["S"] == "hooli"
    # and nothing starts for the named tenant while the bus could still deliver the event elsewhere
    assert holds_for(2.0, lambda: victim.request("GET", "/runs").json()["runs"] == [])
    assert hooli.request("GET", "/runs").json()["runs"] == []


def test_tenants_cannot_see_each_others_runs(acme: Client, globex: Client) -> None:
    run_id = acme.start({"topic": "acme secret"})
    assert globex.request("GET", f"/runs/{run_id}").status_code == 404
    assert globex.request("GET", f"/runs/{run_id}/events").status_code == 404
    assert run_id not in [r["run_id"] for r in globex.request("GET", "/runs?limit=100").json()["runs"]]
    assert acme.request("GET", f"/runs/{run_id}").status_code == 200
    acme.wait(run_id)


@pytest.mark.parametrize("path", ["/runs", "/runs/some-id", "/templates"])
def test_the_api_refuses_calls_without_a_token(cloud: LocalCloud, path: str) -> None:
    import requests

    assert requests.get(f"{cloud.api_url}{path}", timeout=10).status_code == 401


def test_the_emulated_aws_endpoint_shows_machines_and_histories(acme: Client, cloud: LocalCloud) -> None:
    sfn = cloud.client("stepfunctions")
    names = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
    assert names == {f"AiOrchestrator-{name}" for name in (*TEMPLATES, "webhook-retries")}
    run_id = acme.start({"topic": "inspect me"})
    view = acme.wait(run_id)
    history = sfn.get_execution_history(executionArn=view["execution_arn"])["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"] == "TaskStateEntered"]
    assert entered == ["Start run", *[p.label for p in GENERIC.steps], "Finish run"]
    assert cloud.client("dynamodb").list_tables()["TableNames"]


def test_an_event_no_consumer_can_handle_lands_in_the_dead_letter_queue(cloud: LocalCloud) -> None:
    # Given a malformed request (no topic) on the bus
    cloud.client("events").put_events(
        Entries=[
            {
                "Source": "orchestrator.tenant.initech",
                "DetailType": "OrchestrationRequested",
                "EventBusName": cloud.physical_id("EventsBus"),
                "Detail": json.dumps({"tenant_id": "initech", "template": "generic"}),
            }
        ]
    )
    # Then, after Lambda's retries, the event and the error wait in the dead-letter queue
    sqs = cloud.client("sqs")
    queue_url = cloud.physical_id("EventsDeadLetters")
    deadline = time.time() + 30
    messages: list[dict[str, object]] = []
    while time.time() < deadline and not messages:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
    assert messages, "the failed event never reached the dead-letter queue"
    record = json.loads(str(messages[0]["Body"]))
    assert record["requestPayload"]["detail"] == {"tenant_id": "initech", "template": "generic"}
    assert record["responsePayload"]["errorType"] == "ValidationError"
    assert record["requestContext"]["approximateInvokeCount"] == 3


def test_a_run_whose_execution_is_stopped_does_not_stay_running(acme: Client, cloud: LocalCloud) -> None:
    # Given a run stuck retrying a provider that never recovers
    failure = {"step": "ideation", "error": "ProviderUnavailable"}
    run_id = acme.start({"topic": "operator stops me", "options": {"simulate_failure": failure}})
    deadline = time.time() + 30
    view = acme.request("GET", f"/runs/{run_id}").json()
    while time.time() < deadline and not (view["status"] == "RUNNING" and view["execution_arn"]):
        time.sleep(0.1)
        view = acme.request("GET", f"/runs/{run_id}").json()

    # When an operator stops its execution in the console
    cloud.client("stepfunctions").stop_execution(
        executionArn=view["execution_arn"], error="Operator", cause="stuck"
    )

    # Then the run is marked, instead of showing RUNNING for ever
    view = acme.wait(run_id, timeout=30)
    assert view["status"] == "COMPENSATION_FAILED"
    assert view["compensation_error"]["name"] == "ExecutionAborted"
    assert "may not have been undone" in view["compensation_error"]["message"]
    acme.events(run_id, "COMPENSATION_FAILED")
