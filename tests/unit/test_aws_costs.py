"""A run's AWS cost: the meter's counts (botocore's stubber stands in for AWS), the prices and their
overrides, and the state transitions estimated from what the run did."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from orchestrator.adapters.request_meter import instrument, metered, usage_so_far
from orchestrator.core.aws_usage import AwsUsage
from orchestrator.core.errors import ProviderThrottled
from orchestrator.core.memory_sizes import memory_of
from orchestrator.core.records import ResultMetadata, Run, RunStatus, StepResult, StepStatus
from orchestrator.providers.pricing import PriceTable
from orchestrator.runs.aws_costs import (
    ESTIMATED_SECONDS,
    estimate_transitions,
    infrastructure_view,
    run_usage,
)
from tests.unit.test_live_step_states import running, task

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


def test_the_meter_counts_each_call_its_capacity_and_event_entries_only_inside_an_invocation() -> None:
    session = instrument(boto3.session.Session(region_name="us-east-1"))
    dynamodb, events = session.client("dynamodb"), session.client("events")
    with Stubber(dynamodb) as dynamo_stub, Stubber(events) as events_stub:
        # asked to report its capacity: the stub fails unless the meter added the parameter
        expected = {"TableName": "runs", "Key": {"pk": {"S": "a"}}, "ReturnConsumedCapacity": "TOTAL"}
        dynamo_stub.add_response("get_item", {"ConsumedCapacity": {"CapacityUnits": 0.5}}, expected)
        events_stub.add_response("put_events", {"FailedEntryCount": 0, "Entries": [{}, {}]})
        dynamo_stub.add_response("get_item", {}, {"TableName": "runs", "Key": {"pk": {"S": "a"}}})
        with metered(512):
            dynamodb.get_item(TableName="runs", Key={"pk": {"S": "a"}})
            events.put_events(Entries=[{"Detail": "{}"}, {"Detail": "{}"}])
            usage = usage_so_far()
        dynamodb.get_item(TableName="runs", Key={"pk": {"S": "a"}})  # outside: neither changed nor counted
    assert usage is not None and usage_so_far() is None
    assert usage.requests == {"dynamodb:GetItem": 1, "events:PutEvents": 1}
    assert (usage.read_units, usage.write_units, usage.event_entries) == (0.5, 0.0, 2)
    assert usage.lambda_invocations == 1 and usage.lambda_gb_seconds > 0


def test_aws_prices_come_from_the_model_price_table_and_its_overrides() -> None:
    usage = AwsUsage(
        requests={"s3:PutObject": 1000, "s3:GetObject": 1000, "s3:DeleteObject": 5},
        read_units=1_000_000,
        lambda_invocations=1_000_000,
        lambda_gb_seconds=1000,
        state_transitions=1000,
    )
    costs = PriceTable().aws.cost_by_service(usage)
    assert costs["s3"] == pytest.approx(0.005 + 0.0004)  # deletes are free
    assert costs["dynamodb"] == pytest.approx(0.125)
    assert costs["lambda"] == pytest.approx(0.20 + 1000 * 0.0000133334)
    assert costs["stepfunctions"] == pytest.approx(0.025)
    x86 = PriceTable.with_overrides(
        '{"aws/lambda_gb_second": 0.0000166667, "openai/gpt-x": {"input": 1, "output": 2}}'
    )
    assert x86.aws.cost_by_service(usage)["lambda"] == pytest.approx(0.20 + 1000 * 0.0000166667)
    with pytest.raises(ValueError, match=r"'aws/lambda_gb_secnd': unknown; known: .*lambda_gb_second"):
        PriceTable.with_overrides({"aws/lambda_gb_secnd": 1})
    with pytest.raises(ValueError, match="'aws/event': expected a number of USD >= 0"):
        PriceTable.with_overrides({"aws/event": "cheap"})


def _result(step: str, attempts: int = 1, item: int | None = None) -> StepResult:
    return StepResult(
        tenant_id="acme",
        run_id="r",
        step=step,
        item=item,
        status=StepStatus.SUCCEEDED,
        started_at=datetime.now(UTC),
        metadata=ResultMetadata(
            agent=step, attempts=attempts, provider="offline", model="m", prompt_version="1"
        ),
        aws_usage=AwsUsage(requests={"dynamodb:GetItem": 2}, read_units=1.0, lambda_invocations=1),
    )


def _run(template: str, status: RunStatus) -> Run:
    started = datetime.now(UTC)
    return Run(
        tenant_id="acme",
        run_id="r",
        template=template,
        topic="t",
        status=status,
        correlation_id="c",
        started_at=started,
    )


def test_transitions_are_the_states_the_run_entered() -> None:
    phases = ["ideation", "research", "design", "development", "execution", "review", "deployment"]
    done = [_result(phase) for phase in phases]
    # Start run, seven tasks, Finish run, Run succeeded; a retried task enters once more
    assert estimate_transitions(_run("generic", RunStatus.SUCCEEDED), done) == 10
    assert (
        estimate_transitions(_run("generic", RunStatus.SUCCEEDED), [*done[:-1], _result("deployment", 2)])
        == 11
    )
    # failed at design: Start run, two tasks and the failed one, then the compensation chain
    failed = [*done[:2], _result("design")]
    assert estimate_transitions(_run("generic", RunStatus.COMPENSATED), failed) == 1 + 3 + 8
    # a map of three items: prepare, choice, map state and one task per item
    mapped = [_result("execute_task", item=i) for i in range(3)]
    assert estimate_transitions(_run("graph_showcase", RunStatus.RUNNING), mapped) == 1 + 3 + 3


def test_the_run_view_adds_the_counted_and_the_estimated_and_prices_them() -> None:
    view = infrastructure_view(_run("generic", RunStatus.SUCCEEDED), [_result("ideation")], PriceTable().aws)
    detail = view["infrastructure_cost"]
    assert detail["counted"]["requests"] == {"dynamodb:GetItem": 2}
    assert detail["estimated"]["state_transitions"] == 4
    assert view["infrastructure_cost_usd"] == pytest.approx(sum(detail["by_service_usd"].values()), abs=1e-6)


def test_the_invocations_no_function_counts_are_estimated_at_their_functions_declared_memory() -> None:
    # Given a showcase run undone after a map of two items and with one event put (the webhook
    # dispatcher invoked for it; the audit writer reads it in a batch, with its queue's requests)
    run = _run("graph_showcase", RunStatus.COMPENSATED)
    results = [_result("execute_task", item=i) for i in range(2)]
    results[0] = results[0].model_copy(update={"aws_usage": AwsUsage(event_entries=1)})
    # When estimated with the default sizes: the map's preparation, one undo round and the webhook
    # dispatcher, 0.1 s each at their functions' sizes
    _, estimated = run_usage(run, results)
    assert estimated.lambda_invocations == 3
    assert estimated.queue_requests == 6 and estimated.count("dynamodb", "PutItem") >= 1
    defaults = sum(map(memory_of, ("prepare_map", "undo_completed_work", "webhook_dispatch")))
    assert estimated.lambda_gb_seconds == pytest.approx(defaults / 1024 * ESTIMATED_SECONDS)
    # And with a deployment's overrides, at the sizes it declares
    _, bigger = run_usage(run, results, {"prepare_map": 2048, "webhook_dispatch": 1024})
    sized = 2048 + memory_of("undo_completed_work") + 1024
    assert bigger.lambda_gb_seconds == pytest.approx(sized / 1024 * ESTIMATED_SECONDS)
    priced = infrastructure_view(
        run, results, PriceTable().aws, {"prepare_map": 2048, "webhook_dispatch": 1024}
    )
    assert priced["infrastructure_cost"]["estimated"]["lambda_gb_seconds"] == bigger.lambda_gb_seconds


def test_no_function_scans_a_table() -> None:
    """Every read is a GetItem or a Query inside one tenant's partition: no ``scan`` call, no Scan
    paginator, in any code that runs in Lambda (the counted requests of every template's run show
    the same on the local cloud: tests/e2e/test_run_costs.py)."""
    found = []
    for path in FUNCTIONS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("scan", "Scan"):
                found.append(f"{path.relative_to(FUNCTIONS)}:{node.lineno}")
            if isinstance(node, ast.Constant) and node.value in ("scan", "Scan"):
                found.append(f"{path.relative_to(FUNCTIONS)}:{node.lineno}")
    assert found == []


def test_a_retried_step_keeps_the_requests_of_every_attempt() -> None:
    # Given a run whose research is throttled once, each invocation counting one invocation's requests
    world = running(
        "generic",
        options={"simulate_failure": {"step": "research", "times": 1, "error": "ProviderThrottled"}},
    )
    world.runner.recorder.usage = lambda: AwsUsage(requests={"dynamodb:GetItem": 3}, lambda_invocations=1)
    world.runner.run(task("ideation", retry_count=0))
    # When research fails once and its retry succeeds
    with pytest.raises(ProviderThrottled):
        world.runner.run(task("research", retry_count=0))
    world.runner.run(task("research", retry_count=1))
    # Then research's result holds both invocations' requests (and their writes), ideation its one
    research, ideation = world.result("research").aws_usage, world.result("ideation").aws_usage
    assert research is not None and ideation is not None
    assert (research.lambda_invocations, ideation.lambda_invocations) == (2, 1)
    assert research.count("dynamodb", "GetItem") == 3 + 3 + 1  # each attempt's, the fence's read
    assert research.count("dynamodb", "PutItem") == 2 and research.event_entries == 2
