"""A run's own AWS requests, counted by its functions in-process against moto: a ``generic`` run
started through the API, its status tasks and its seven agents called as the state machine calls
them. What each step reports is what an independent listener saw it ask; the run's figure is
within the issue's bound; the month's usage carries it beside the model cost."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.tokens import LocalSigningKey
from orchestrator.adapters import aws_clients
from orchestrator.core.records import RunStatus
from orchestrator.templates.catalog.generic import PHASES
from tests.fakes.lambda_context import FakeLambdaContext
from tests.integration.conftest import MotoAws
from tests.integration.test_api_handler import call


class Listener:
    """Every AWS call made through the functions' session, independently of the meter."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def take(self) -> dict[str, int]:
        seen, self.calls = dict(self.calls), Counter()
        return seen


@pytest.fixture
def listener() -> Iterator[Listener]:
    """Heard by the clients made from now on (a client copies its session's hooks when made)."""
    for cached in (
        aws_clients._session,
        aws_clients._session_as,
        aws_clients._client,
        aws_clients._dynamodb_resource,
    ):
        cached.cache_clear()
    heard = Listener()
    events = aws_clients._session().events
    events.register("after-call", heard, unique_id="test-listener")
    yield heard
    events.unregister("after-call", unique_id="test-listener")


def _status(aws: MotoAws, reference: dict[str, Any], status: RunStatus) -> None:
    from handlers import run_status

    arn = {"execution_arn": "arn:aws:states:us-east-1:123456789012:execution:generic:x"}
    run_status.handler(
        reference | {"status": status.value} | arn, FakeLambdaContext(), container=aws.container
    )


def start_generic_run(api: Any, signing_key: LocalSigningKey) -> tuple[str, str]:
    """A ``generic`` run of tenant ``acme`` started through the API: a token of the tenant, its run id."""
    token = signing_key.mint(tenant_id="acme")
    status, started, _ = call(
        api, "POST", "/runs", token=token, body={"template": "generic", "topic": "a CRM"}
    )
    assert status == 202, started
    return token, str(started["run_id"])


def test_a_generic_run_reports_its_aws_cost_from_its_own_counts(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey, listener: Listener
) -> None:
    from handlers import run_agent

    # Given a generic run started through the API
    token, run_id = start_generic_run(api, signing_key)
    heard = listener.take()
    # Then the run's record carries exactly what starting it asked of AWS
    start = aws.container.runs.get("acme", run_id).aws_usage
    assert start is not None and start.requests == heard and start.api_requests == 1
    reference = {"tenant_id": "acme", "run_id": run_id, "correlation_id": "corr-1", "template": "generic"}
    # When the state machine runs it: Start run, the seven phases, Finish run
    _status(aws, reference, RunStatus.RUNNING)
    listener.take()
    for phase in PHASES:
        run_agent.handler(reference | {"step": phase}, FakeLambdaContext(), container=aws.container)
        heard = listener.take()
        # Then each step's result carries exactly the requests its invocation made
        counted = aws.container.step_results.get("acme", run_id, phase)
        listener.take()  # the test's own read
        assert counted is not None and counted.aws_usage is not None
        assert counted.aws_usage.requests == heard, phase
        assert counted.aws_usage.lambda_invocations == 1 and counted.aws_usage.lambda_gb_seconds > 0
        assert counted.aws_usage.write_units >= 1 and counted.aws_usage.event_entries >= 2
    _status(aws, reference, RunStatus.SUCCEEDED)

    # Then the run reports its AWS cost, at most 0.0005 USD, with no Scan anywhere
    status, view, _ = call(api, "GET", f"/runs/{run_id}", token=token)
    assert status == 200 and view["status"] == "SUCCEEDED"
    cost, detail = view["infrastructure_cost_usd"], view["infrastructure_cost"]
    assert 0 < cost <= 0.0005
    assert detail["counted"]["lambda_invocations"] == 1 + 2 + len(PHASES)  # API, two status tasks, agents
    assert not [name for name in detail["counted"]["requests"] if name.endswith(":Scan")]
    assert detail["estimated"]["state_transitions"] == 3 + len(PHASES)
    assert abs(sum(detail["by_service_usd"].values()) - cost) < 1e-6
    assert detail["by_service_usd"]["stepfunctions"] == pytest.approx(10 * 0.000025)
    # and the tenant's month has it beside the model cost
    status, usage, _ = call(api, "GET", "/usage", token=token)
    assert status == 200
    assert (usage["infrastructure_runs"], usage["infrastructure_cost_usd"]) == (
        1,
        pytest.approx(cost, abs=1e-6),
    )
