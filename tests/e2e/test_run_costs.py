"""Every template's sample run reports what its AWS requests cost, counted by its own functions on
the local cloud: no Scan among them, every function invocation that ran a step counted, and the
estimated state transitions equal to the execution history's. The seed templates' sample runs
are checked so in ``test_seed_templates.py`` (they run there anyway); the other templates here."""

from __future__ import annotations

import pytest

from infra.cli.demo_requests import demo_body
from infra.local.cloud import LocalCloud
from orchestrator.templates import catalog
from tests.e2e.test_seed_templates import SEED_TEMPLATES, _finish, _tenant, assert_aws_cost_reported

OTHER_TEMPLATES = [name for name in catalog.NAMES if name not in SEED_TEMPLATES]


def test_every_template_is_checked_here_or_with_the_seed_templates() -> None:
    assert set(OTHER_TEMPLATES) | set(SEED_TEMPLATES) == set(catalog.NAMES) and OTHER_TEMPLATES


@pytest.mark.parametrize("template", OTHER_TEMPLATES)
def test_each_templates_run_reports_its_aws_cost_and_scans_nothing(cloud: LocalCloud, template: str) -> None:
    # Given a tenant running the template's sample request to its end
    client = _tenant(cloud, f"cost-{template.replace('_', '-')}")
    view = _finish(client, client.start(demo_body(cloud.api_url, client.token, template)))
    assert view["status"] == "SUCCEEDED", view.get("error")
    # Then it reports its AWS cost, counted by the functions that ran it, and scans nothing
    assert_aws_cost_reported(cloud, view)
