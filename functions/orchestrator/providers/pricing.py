"""Price table: USD per million tokens, per provider and model prefix, configurable.

A price has four parts: plain input, output, input read from the provider's prompt cache and
input written to it. Entries are keyed ``provider/model-prefix`` (``anthropic/claude-sonnet``);
the longest matching prefix wins. A deployment adds or overrides entries with a JSON object in
``MODEL_PRICES``, e.g. ``{"openai_compatible/llama": {"input": 0.1, "output": 0.2}}``. A model
with no entry costs 0 and ``PriceTable.lookup`` says so (None), so results can warn about it.

The same table prices a run's own AWS requests (``PriceTable.aws``, us-east-1 list prices:
``orchestrator.core.aws_usage``); ``"aws/<field>": <USD>`` entries of ``MODEL_PRICES`` override them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.core.aws_usage import AWS_PRICE_PREFIX, DEFAULT_AWS_PRICES, AwsPrices
from orchestrator.core.records import TokenUsage


@dataclass(frozen=True)
class Price:
    """USD per million tokens. Cache prices default to the usual ratios (read 0.1x, write 1.25x)."""

    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None

    def cost_usd(self, usage: TokenUsage) -> float:
        cached = self.input * 0.1 if self.cached_input is None else self.cached_input
        write = self.input * 1.25 if self.cache_write is None else self.cache_write
        total = (
            usage.input_tokens * self.input
            + usage.output_tokens * self.output
            + usage.cached_input_tokens * cached
            + usage.cache_write_tokens * write
        )
        return round(total / 1_000_000, 6)


_ANTHROPIC = {
    "claude-opus": Price(15.0, 75.0, 1.5, 18.75),
    "claude-sonnet": Price(3.0, 15.0, 0.30, 3.75),
    "claude-haiku": Price(1.0, 5.0, 0.10, 1.25),
}
_OPENAI = {
    "gpt-4o-mini": Price(0.15, 0.60, 0.075, 0.15),
    "gpt-4o": Price(2.50, 10.0, 1.25, 2.50),
    "gpt-4.1-mini": Price(0.40, 1.60, 0.10, 0.40),
    "gpt-4.1-nano": Price(0.10, 0.40, 0.025, 0.10),
    "gpt-4.1": Price(2.0, 8.0, 0.50, 2.0),
}
_BEDROCK = {  # Converse model ids, with or without a cross-region inference prefix
    **{
        f"{region}anthropic.{family}": price
        for region in ("", "us.", "eu.", "apac.", "global.")
        for family, price in _ANTHROPIC.items()
    },
    "amazon.nova-micro": Price(0.035, 0.14, 0.00875, 0.035),
    "amazon.nova-lite": Price(0.06, 0.24, 0.015, 0.06),
    "amazon.nova-pro": Price(0.80, 3.20, 0.20, 0.80),
    "us.amazon.nova-micro": Price(0.035, 0.14, 0.00875, 0.035),
    "us.amazon.nova-lite": Price(0.06, 0.24, 0.015, 0.06),
    "us.amazon.nova-pro": Price(0.80, 3.20, 0.20, 0.80),
}

DEFAULT_PRICES: dict[str, Price] = {
    **{f"anthropic/{prefix}": price for prefix, price in _ANTHROPIC.items()},
    **{f"openai/{prefix}": price for prefix, price in _OPENAI.items()},
    **{f"bedrock/{prefix}": price for prefix, price in _BEDROCK.items()},
}
"""List prices of the hosted models (offline and local servers cost nothing unless configured)."""


class PriceTable:
    def __init__(
        self, entries: Mapping[str, Price] | None = None, aws: AwsPrices = DEFAULT_AWS_PRICES
    ) -> None:
        self.entries: dict[str, Price] = dict(DEFAULT_PRICES if entries is None else entries)
        self.aws = aws

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, Any] | str | None) -> PriceTable:
        """The default table plus ``overrides`` (a mapping or its JSON text) of
        ``"provider/model-prefix": {"input": .., "output": .., "cached_input": .., "cache_write": ..}``."""
        table = cls()
        if not overrides:
            return table
        raw = json.loads(overrides) if isinstance(overrides, str) else overrides
        if not isinstance(raw, Mapping):
            raise ValueError("model prices must be a JSON object of 'provider/model-prefix': price")
        table.aws = table.aws.with_overrides({k: v for k, v in raw.items() if k.startswith(AWS_PRICE_PREFIX)})
        for key, value in raw.items():
            if key.startswith(AWS_PRICE_PREFIX):
                continue
            if "/" not in key or not isinstance(value, Mapping):
                raise ValueError(f"model price {key!r}: expected 'provider/model-prefix': {{input, output}}")
            try:
                table.entries[key] = Price(
                    input=float(value["input"]),
                    output=float(value["output"]),
                    cached_input=None if value.get("cached_input") is None else float(value["cached_input"]),
                    cache_write=None if value.get("cache_write") is None else float(value["cache_write"]),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"model price {key!r}: {exc}") from None
        return table

    def lookup(self, provider: str, model: str) -> Price | None:
        """The price of ``model`` served by ``provider`` (longest matching prefix), or None."""
        if provider == "replay" and "/" in model:  # a replayed answer costs what its recording cost
            provider, model = model.split("/", 1)
        wanted = f"{provider}/{model}"
        best: str | None = None
        for key in self.entries:
            if wanted.startswith(key) and (best is None or len(key) > len(best)):
                best = key
        return self.entries[best] if best is not None else None

    def cost_usd(self, provider: str, model: str, usage: TokenUsage) -> float:
        price = self.lookup(provider, model)
        return price.cost_usd(usage) if price is not None else 0.0


DEFAULT_TABLE = PriceTable()


def cost_usd(provider: str, model: str, usage: TokenUsage, table: PriceTable | None = None) -> float:
    """Cost of one call at list prices (or ``table``'s); unknown models cost 0."""
    return (table or DEFAULT_TABLE).cost_usd(provider, model, usage)
