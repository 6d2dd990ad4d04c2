"""List prices (USD per million tokens) used to estimate the cost of each call."""

from __future__ import annotations

from orchestrator.models import TokenUsage

PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    # model prefix: (input, output)
    "claude-opus": (15.0, 75.0),
    "claude-sonnet": (3.0, 15.0),
    "claude-haiku": (1.0, 5.0),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.0),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.0, 8.0),
}


def cost_usd(model: str, usage: TokenUsage) -> float:
    """Estimated cost of one call; unknown models cost 0 (and the result says so in warnings)."""
    for prefix in sorted(PRICES_PER_MILLION, key=len, reverse=True):
        if model.startswith(prefix):
            price_in, price_out = PRICES_PER_MILLION[prefix]
            return round((usage.input_tokens * price_in + usage.output_tokens * price_out) / 1_000_000, 6)
    return 0.0
