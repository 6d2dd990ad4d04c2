"""``orchestrator demo --resume`` against the local cloud: web_development fails at its last step and
is undone, then is resumed to SUCCEEDED; the demo names the steps reused and the tokens they saved,
and the lineage of the new run leads back to the results that paid for them."""

from __future__ import annotations

import re

import pytest

from infra.cli.api_client import ApiClient
from infra.cli.demo import run_demo
from infra.cli.demo_resume import last_agent_step
from infra.local.cloud import LocalCloud


def test_the_resume_demo_reuses_every_step_before_the_last_and_says_what_it_saved(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    token = cloud.mint_token(tenant_id="demo-tenant")
    assert last_agent_step("web_development") == "deployment"
    code = run_demo(
        cloud.api_url,
        token,
        template="web_development",
        topic=None,
        fail_phase="deployment",
        timeout=120,
        resume=True,
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ended COMPENSATED" in out and "ended SUCCEEDED" in out
    reused = re.search(r"reused \(no model call\): (.+) \((\d+) steps\)", out)
    assert reused is not None and reused.group(2) == "7", out
    saved = re.search(r"tokens saved: ([\d,]+)", out)
    assert saved is not None
    # the tokens saved are those the original run's model calls spent on the reused steps
    original_id, new_id = re.findall(r"Resumed (\w{26}) as (\w{26})", out)[0]
    client = ApiClient(cloud.api_url, token)
    original = client.get(f"/runs/{original_id}/lineage")
    spent = sum(sum(step["tokens"].values()) for step in original["steps"] if step["key"] != "deployment")
    assert int(saved.group(1).replace(",", "")) == spent > 0
    resumed = client.get(f"/runs/{new_id}/lineage")
    assert {step["origin"]["run_id"] for step in resumed["steps"] if step["source"] == "reused"} == {
        original_id
    }
    # and each reused step's lineage names the documents it wrote again (new versions) and its events
    requirements = next(step for step in resumed["steps"] if step["key"] == "requirements")
    keys = [command["object"]["key"] for command in requirements["commands"]]
    assert keys and all(f"/projects/{new_id}/" in key for key in keys)
    assert all(command["object"]["version_id"] for command in requirements["commands"])
    assert [event["event_type"] for event in requirements["events"]][-1] == "PHASE_COMPLETED"
    assert "ran again: deployment (1 model calls)" in out
