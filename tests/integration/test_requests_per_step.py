"""How many AWS requests each step of a ``generic`` run makes, pinned: the real handlers
in-process against moto, invoked as the state machine invokes them (``retry_count`` given), every
request heard on the functions' session. A change that adds a request to every step fails here;
one that removes some lowers the bounds."""

from __future__ import annotations

from typing import Any

from infra.local.tokens import LocalSigningKey
from orchestrator.core.records import RunStatus
from orchestrator.templates.catalog.generic import PHASES
from tests.fakes.lambda_context import FakeLambdaContext
from tests.integration import test_run_aws_costs as costs
from tests.integration.conftest import MotoAws
from tests.integration.test_api_handler import call
from tests.integration.test_run_aws_costs import Listener, _status

listener = costs.listener  # the fixture: every request made through the functions' session

STEP_AT_MOST = 13
"""Every request of a step after the first (the provider's circuit read again once its cached
state is a few seconds old)."""
STEP_OPERATIONS_AT_MOST = {
    "dynamodb:GetItem": 4,  # the run, the cached answer, the fence; the circuit at times
    "dynamodb:UpdateItem": 3,
    "dynamodb:PutItem": 2,
    "dynamodb:Query": 2,  # earlier results, the cache generation
    "events:PutEvents": 2,  # the start at once (watchers see it), the rest when the attempt ends
}
FIRST_STEP_AT_MOST = STEP_AT_MOST + 3
"""The first step also creates the tenant's month of usage (its
budget read, the month written, the usage added again)."""


def test_each_step_of_a_generic_run_makes_few_requests(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey, listener: Listener
) -> None:
    from handlers import run_agent

    # Given a generic run started through the API, marked running as Start run does
    token, run_id = costs.start_generic_run(api, signing_key)
    reference = {
        "tenant_id": "acme",
        "run_id": run_id,
        "correlation_id": "c",
        "template": "generic",
    }
    _status(aws, reference, RunStatus.RUNNING)
    listener.take()
    # When each of its seven steps runs, as its state's first attempt
    per_step = {}
    for phase in PHASES:
        run_agent.handler(
            reference | {"step": phase, "retry_count": 0}, FakeLambdaContext(), container=aws.container
        )
        per_step[phase] = listener.take()
    # Then every step made at most the pinned requests, its events in two PutEvents calls
    first, *rest = PHASES
    assert sum(per_step[first].values()) <= FIRST_STEP_AT_MOST, per_step[first]
    assert per_step[first]["dynamodb:Query"] == 1, per_step[first]  # no earlier result to read
    for phase in rest:
        heard = per_step[phase]
        assert sum(heard.values()) <= STEP_AT_MOST, (phase, heard)
        assert set(heard) <= set(STEP_OPERATIONS_AT_MOST), (phase, heard)
        for operation, most in STEP_OPERATIONS_AT_MOST.items():
            assert heard.get(operation, 0) <= most, (phase, operation, heard)
        assert heard["events:PutEvents"] == 2, (phase, heard)
    _status(aws, reference, RunStatus.SUCCEEDED)
    status, view, _ = call(api, "GET", f"/runs/{run_id}", token=token)
    assert status == 200 and view["status"] == "SUCCEEDED" and view["model_calls"] == len(PHASES)
