"""Every template's sample run reports what its AWS requests cost, counted by its own functions on
the local cloud: no Scan among them, every function invocation that ran a step counted, and the
estimated state transitions equal to the execution history's."""

from __future__ import annotations

import pytest

from infra.cli.demo_requests import demo_body
from infra.local.cloud import LocalCloud
from orchestrator.templates import catalog
from tests.e2e.test_seed_templates import _agent_results, _finish, _tenant


def _states_entered(cloud: LocalCloud, execution_arn: str) -> int:
    history = cloud.client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)
    return sum(1 for event in history["events"] if event["type"].endswith("StateEntered"))


@pytest.mark.parametrize("template", catalog.NAMES)
def test_each_templates_run_reports_its_aws_cost_and_scans_nothing(cloud: LocalCloud, template: str) -> None:
    # Given a tenant running the template's sample request to its end
    client = _tenant(cloud, f"cost-{template.replace('_', '-')}")
    view = _finish(client, client.start(demo_body(cloud.api_url, client.token, template)))
    assert view["status"] == "SUCCEEDED", view.get("error")
    # Then it reports its AWS cost, counted by the functions that ran it
    cost, counted = view["infrastructure_cost_usd"], view["infrastructure_cost"]["counted"]
    assert cost > 0 and counted["lambda_invocations"] >= len(_agent_results(view)) + 3
    assert counted["requests"].get("dynamodb:Query", 0) > 0 and counted["event_entries"] > 0
    # with not one Scan among them
    assert [name for name in counted["requests"] if name.endswith(":Scan")] == []
    # and the transitions it estimates are those its execution entered
    estimated = view["infrastructure_cost"]["estimated"]["state_transitions"]
    assert estimated == _states_entered(cloud, view["execution_arn"])
