"""``orchestrator demo --resume``: the run that failed at its last step is resumed through the API; the
new run reuses every step before it (no model call) and runs that step again, and the demo says
which steps were reused and how many tokens (and how much money) that saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.cli.api_client import ApiClient
from infra.cli.console import say


def last_agent_step(template: str) -> str:
    """The step a resume demo makes fail: the template's last agent step."""
    from orchestrator.templates.graph import get_template

    return get_template(template).agent_steps()[-1].name


def resume_demo(client: ApiClient, run_id: str, follow_to_the_end: Callable[[str], dict[str, Any]]) -> int:
    """Resume ``run_id`` without its simulated failure, follow the new run (``follow_to_the_end``:
    as the demo followed the first), say what it reused and saved; 0 when the new run SUCCEEDED."""
    say()
    say(f'POST {client.api_url}/runs/{run_id}/resume {{"options": {{}}}}')
    new_id = client.resume(run_id, {"options": {}})["run_id"]
    view = follow_to_the_end(new_id)
    report_reuse(client.get(f"/runs/{new_id}/lineage"), view)
    if view["status"] != "SUCCEEDED":
        say(f"expected the resumed run to end SUCCEEDED, got {view['status']}")
        return 1
    return 0


def report_reuse(lineage: dict[str, Any], view: dict[str, Any]) -> None:
    """The steps the resumed run reused and what their original results had cost."""
    reused = [step for step in lineage["steps"] if step["source"] == "reused"]
    ran = [step["key"] for step in lineage["steps"] if step["source"] != "reused"]
    origins = [step.get("origin") or step for step in reused]
    tokens = {
        name: sum(int(origin["tokens"].get(name, 0)) for origin in origins)
        for name in ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens")
    }
    cost = sum(float(origin.get("cost_usd") or 0) for origin in origins)
    say()
    say(f"Resumed {lineage['resumed_from']} as {lineage['run_id']} from {view.get('from_step')}:")
    names = ", ".join(step["key"] for step in reused) or "none"
    say(f"  reused (no model call): {names} ({len(reused)} steps)")
    say(
        f"  tokens saved: {sum(tokens.values()):,} (input {tokens['input_tokens']:,}, "
        f"output {tokens['output_tokens']:,}); cost saved: {cost:.6f} USD"
    )
    say(f"  ran again: {', '.join(ran) or 'nothing'} ({view.get('model_calls', 0)} model calls)")
