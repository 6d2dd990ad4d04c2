"""Tokens and cost of a template run through ``replay`` with a price table: with and without the
response cache, with and without provider prompt caching, routing versus large-only.

1. Record: the ``data_science`` template runs once per routing choice against a simulated hosted
   model (no key on this machine, so no real provider): it answers what the offline provider would,
   labelled ``anthropic``, and reports usage the way Anthropic does with prompt caching in its
   steady state (the template ran within the cache's lifetime): the system prompt, instructions
   and schema, is read from the cache (``cached_input_tokens``), the rest is plain input. Every
   answer goes into a cassette (record mode).
2. Replay: the same requests run through the ``replay`` provider alone, tenant settings choosing
   the tiers, the gateway pricing every call from the price table (Anthropic list prices).
   Each scenario runs the same request twice (a user asking again):

   - routing: small steps on ``claude-haiku-5-5``, the rest on ``claude-sonnet-5-5``;
   - large-only: every step pinned to the large tier;
   - response cache on: the second run is answered from the tenant's cache;
   - prompt caching off: the same usage priced as if no input had been cached.

    .venv/bin/python bench/model_costs.py [--json]

It prints one row per scenario (calls, tokens, cost of both runs) and exits 1 if a replay
differs from its recording (outputs or costs) or the cache did not save every call of the
second run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from orchestrator.core.records import RunStatus, TokenUsage  # noqa: E402
from orchestrator.llm.gateway import ModelGateway  # noqa: E402
from orchestrator.llm.model_settings import DeploymentModels, TenantModelSettings  # noqa: E402
from orchestrator.providers.base import ModelRequest, ModelResponse, estimate_tokens  # noqa: E402
from orchestrator.providers.cassette import Cassette, RecordingProvider, ReplayProvider  # noqa: E402
from orchestrator.providers.offline import OfflineProvider  # noqa: E402
from orchestrator.providers.pricing import DEFAULT_TABLE, Price  # noqa: E402
from tests.fakes.response_cache import InMemoryResponseCache  # noqa: E402
from tests.fakes.tenant_settings import InMemoryTenantSettings  # noqa: E402
from tests.unit.template_world import TENANT, TemplateWorld  # noqa: E402

TEMPLATE = "data_science"
TOPIC = "Forecast weekly demand for each of our 40 stores from two years of sales, with holidays"
SMALL, LARGE = "claude-haiku-5-5", "claude-sonnet-5-5"
RUN_IDS = ("01jbenchzzzzzzzzzzzzzzzzz1", "01jbenchzzzzzzzzzzzzzzzzz2")


class SimulatedHostedModel:
    """Answers as the offline provider would, reported as a hosted Anthropic model with its usage:
    the system prompt (instructions and schema, marked cacheable) is read from the prompt cache."""

    name = "anthropic"

    def __init__(self, model: str) -> None:
        self.model = model

    def complete(self, request: ModelRequest) -> ModelResponse:
        answer = OfflineProvider().complete(request)
        usage = TokenUsage(
            input_tokens=estimate_tokens(request.prompt),
            output_tokens=answer.usage.output_tokens,
            cached_input_tokens=estimate_tokens(request.system),
        )
        return replace(answer, provider=self.name, model=self.model, offline=False, usage=usage)


@dataclass
class Scenario:
    name: str
    calls: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    outputs: dict[str, Any] | None = None


def settings(tier: str | None, provider: str, small: str, large: str) -> InMemoryTenantSettings:
    store = InMemoryTenantSettings()
    choice: dict[str, Any] = {"provider": provider, "small_model": small, "large_model": large}
    if tier:
        choice["tier"] = tier
    store.put_models(TENANT, TenantModelSettings.model_validate({"default": choice}), "bench", None)
    return store


def run_twice(
    name: str,
    source: Any,
    tenant_settings: InMemoryTenantSettings,
    *,
    cache: bool,
    prompt_caching: bool = True,
) -> Scenario:
    scenario = Scenario(name)
    response_cache = InMemoryResponseCache() if cache else None
    deployment = DeploymentModels(provider="offline", model=None, served=frozenset())
    for run_id in RUN_IDS:
        world = TemplateWorld(
            TEMPLATE,
            topic=TOPIC,
            run_id=run_id,
            gateway=lambda _source: ModelGateway(
                providers=source,
                deployment=deployment,
                tenant_settings=tenant_settings,
                cache=response_cache,
                prices=DEFAULT_TABLE,
            ),
        )
        outcome = world.run()
        if outcome.status is not RunStatus.SUCCEEDED:
            raise SystemExit(f"{name}: run ended {outcome.status}: {outcome.error}")
        run = world.runs.get(TENANT, run_id)
        scenario.calls += run.model_calls
        for step in world.template.agent_steps():
            result = world.result(step.name)
            usage = result.token_usage
            scenario.input_tokens += usage.total_input_tokens
            scenario.cached_input_tokens += usage.cached_input_tokens
            scenario.output_tokens += usage.output_tokens
            scenario.cost_usd += result.cost_usd if prompt_caching else _uncached_cost(result)
        if scenario.outputs is None:
            scenario.outputs = {s.name: world.result(s.name).data for s in world.template.agent_steps()}
    scenario.cost_usd = round(scenario.cost_usd, 6)
    return scenario


def _uncached_cost(result: Any) -> float:
    """What the step would have cost had the provider cached nothing: all input at the input price."""
    price: Price | None = DEFAULT_TABLE.lookup(result.metadata.provider, result.metadata.model)
    if price is None:
        return 0.0
    usage = result.token_usage
    return price.cost_usd(
        TokenUsage(input_tokens=usage.total_input_tokens, output_tokens=usage.output_tokens)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cassette = Cassette(str(Path(tmp) / f"{TEMPLATE}.jsonl"))

        def recording(provider: str, model: str | None, tenant: str, own_key: bool) -> Any:
            return RecordingProvider(SimulatedHostedModel(model or LARGE), cassette)

        recorded = {
            "routing": run_twice(
                "record routing", recording, settings(None, "anthropic", SMALL, LARGE), cache=False
            ),
            "large-only": run_twice(
                "record large-only", recording, settings("large", "anthropic", SMALL, LARGE), cache=False
            ),
        }

        def replaying(provider: str, model: str | None, tenant: str, own_key: bool) -> Any:
            return ReplayProvider(cassette, model or f"anthropic/{LARGE}")

        replay_routing = settings(None, "replay", f"anthropic/{SMALL}", f"anthropic/{LARGE}")
        replay_large = settings("large", "replay", f"anthropic/{SMALL}", f"anthropic/{LARGE}")
        rows = [
            run_twice("routing, no response cache", replaying, replay_routing, cache=False),
            run_twice("routing, response cache", replaying, replay_routing, cache=True),
            run_twice("large-only, no response cache", replaying, replay_large, cache=False),
            run_twice("large-only, response cache", replaying, replay_large, cache=True),
            run_twice(
                "routing, no cache, no prompt caching",
                replaying,
                replay_routing,
                cache=False,
                prompt_caching=False,
            ),
            run_twice(
                "large-only, no cache, no prompt caching",
                replaying,
                replay_large,
                cache=False,
                prompt_caching=False,
            ),
        ]
    problems = []
    for row, source in ((rows[0], recorded["routing"]), (rows[2], recorded["large-only"])):
        if row.outputs != source.outputs or abs(row.cost_usd - source.cost_usd) > 1e-6:
            problems.append(f"{row.name}: the replay differs from its recording")
    for cached, uncached in ((rows[1], rows[0]), (rows[3], rows[2])):
        if cached.calls * 2 != uncached.calls:
            problems.append(f"{cached.name}: {cached.calls} calls, expected half of {uncached.calls}")
    if args.json:
        print(json.dumps([{k: v for k, v in vars(r).items() if k != "outputs"} for r in rows], indent=2))
    else:
        print(f"template {TEMPLATE}, two identical runs per scenario, Anthropic list prices, replayed")
        print(f"{'scenario':42} {'calls':>5} {'input':>7} {'cached':>7} {'output':>7} {'cost USD':>10}")
        for r in rows:
            print(
                f"{r.name:42} {r.calls:5d} {r.input_tokens:7d} {r.cached_input_tokens:7d} "
                f"{r.output_tokens:7d} {r.cost_usd:10.6f}"
            )
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
