"""Before a run starts: pin its prompt versions and estimate what it will cost (seed 003,
"estimate before execute"). A run its tenant's monthly budget cannot afford is refused with
``BudgetExceeded`` before anything is stored or any model is called.

The estimate of a step is its prompt's tokens (the prompt text without the earlier outputs it
will read, plus the topic and inputs) and its maximum output, at the price of the model the step
resolves to (tenant settings, routing tier). A map's steps count ``ESTIMATED_MAP_ITEMS`` times:
how many items a map has is known only when it runs, where each step's own reservation holds
the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.agents import get_agent
from orchestrator.core import constants
from orchestrator.core.errors import BudgetExceeded, SafetyViolation
from orchestrator.core.records import RunRequest, TokenUsage, utc_now
from orchestrator.providers.base import CHARS_PER_TOKEN
from orchestrator.providers.pricing import DEFAULT_TABLE, PriceTable
from orchestrator.templates.graph import get_template

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from orchestrator.llm.gateway import TenantSettingsReader
    from orchestrator.llm.model_settings import DeploymentModels, TenantModelSettings
    from orchestrator.llm.prompts import PromptLibrary
    from orchestrator.safety import SafetyScreen
    from orchestrator.tenancy.budgets import UsageLedger

ESTIMATED_MAP_ITEMS = 3


@dataclass(frozen=True)
class StepEstimate:
    step: str
    agent: str
    provider: str
    model: str | None
    tier: str
    calls: int
    cost_usd: float


@dataclass
class RunPlan:
    prompt_versions: dict[str, int] = field(default_factory=dict)
    shipped_prompts: list[str] = field(default_factory=list)
    tenant_models: dict[str, Any] = field(default_factory=dict)  # the tenant's model settings ({}: none)
    estimated_cost_usd: float = 0.0
    steps: list[StepEstimate] = field(default_factory=list)


class RunPlanner:
    def __init__(
        self,
        *,
        deployment: DeploymentModels,
        tenant_settings: TenantSettingsReader | None = None,
        ledger: UsageLedger | None = None,
        prompts: PromptLibrary | None = None,
        prices: PriceTable = DEFAULT_TABLE,
        map_items: int = ESTIMATED_MAP_ITEMS,
        safety: Callable[[str], SafetyScreen] | None = None,
    ) -> None:
        """``safety``: the safety check of a request answered by a provider (the container's: rules in
        code plus the moderation this function can reach); None: the rules in code alone."""
        self.safety = safety
        self.deployment = deployment
        self.tenant_settings = tenant_settings
        self.ledger = ledger
        self.prompts = prompts
        self.prices = prices
        self.map_items = map_items

    def plan(
        self, tenant_id: str, request: RunRequest, inputs: dict[str, Any], *, skip: Collection[str] = ()
    ) -> RunPlan:
        """Pinned prompt versions and the run's estimate; ``SafetyViolation`` when its free text breaks
        the safety policy, ``BudgetExceeded`` when it cannot be afforded. ``skip``: steps that call no
        model in this run (a resumed run reuses them), left out of the estimate."""
        from orchestrator.llm.model_settings import resolve
        from orchestrator.llm.routing import model_for_tier

        template = get_template(request.template)
        stored = self.tenant_settings.get_models(tenant_id) if self.tenant_settings is not None else None
        tenant = None if stored is None else stored.settings
        self.check_safety(request, inputs, tenant)
        plan = RunPlan(tenant_models=tenant.model_dump(mode="json", exclude_unset=True) if tenant else {})
        if self.prompts is not None:
            plan.prompt_versions, plan.shipped_prompts = self.prompts.pin_active(
                tenant_id, template.agent_types()
            )
        request_chars = len(request.topic) + len(json.dumps(inputs, default=str))
        for step in template.agent_steps():
            agent = get_agent(step.agent)
            if not agent.uses_model or step.name in skip:
                continue
            schema_chars = len(json.dumps(agent.output_schema(), separators=(",", ":")))
            prompt_chars = len(agent.system_prompt) + len(agent.user_prompt) + schema_chars + request_chars
            resolved = resolve(
                self.deployment,
                tenant,
                template.name,
                step.name,
                complexity=agent.complexity,
                prompt_chars=prompt_chars,
            )
            provider, model = resolved.provider, resolved.model
            if request.options.provider and request.options.provider != provider:
                provider = request.options.provider
                model = model_for_tier(provider, resolved.tier, None, None, None)
            usage = TokenUsage(
                input_tokens=max(1, prompt_chars // CHARS_PER_TOKEN),
                output_tokens=resolved.max_output_tokens or agent.max_output_tokens,
            )
            calls = self.map_items if template.placement(step.name).map is not None else 1
            cost = self.prices.cost_usd(provider, model or "", usage) * calls
            plan.steps.append(
                StepEstimate(step.name, step.agent, provider, model, resolved.tier, calls, round(cost, 6))
            )
        plan.estimated_cost_usd = round(sum(s.cost_usd for s in plan.steps), 6)
        self.check_affordable(tenant_id, plan)
        return plan

    def check_safety(
        self, request: RunRequest, inputs: dict[str, Any], tenant: TenantModelSettings | None
    ) -> None:
        """The topic and every string of the inputs through the safety check of the provider the
        run's steps resolve to (the run's choice, else the template's or tenant's, else the
        deployment's)."""
        from orchestrator.llm.model_settings import resolve
        from orchestrator.safety import SafetyScreen, request_texts

        resolved = resolve(self.deployment, tenant, request.template, "", complexity="large", prompt_chars=0)
        screen = SafetyScreen()
        if self.safety is not None:
            screen = self.safety(request.options.provider or resolved.provider)
        verdict = screen.check(request_texts(request.topic, inputs))
        if not verdict.allowed:
            raise SafetyViolation(verdict.reason("nothing was started"), verdict.audit())

    def check_affordable(self, tenant_id: str, plan: RunPlan) -> None:
        if self.ledger is None:
            return
        month = utc_now().strftime("%Y-%m")
        available = self.ledger.available_micro(tenant_id, month)
        needed = round(plan.estimated_cost_usd * constants.MICRO_USD)
        if available is not None and needed > available:
            raise BudgetExceeded(
                f"the run is estimated at {plan.estimated_cost_usd:.6f} USD but only "
                f"{max(available, 0) / constants.MICRO_USD:.6f} USD of the tenant's budget for {month} "
                "is left; no model was called"
            )
