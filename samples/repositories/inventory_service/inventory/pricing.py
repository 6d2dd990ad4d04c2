"""Price quotes: customer tier, bulk and coupon discounts, never below the floor price."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from inventory.models import Item

CENT = Decimal("0.01")
BULK_QUANTITY = 100
TIER_DISCOUNTS = {"gold": Decimal("0.90"), "silver": Decimal("0.95")}
COUPONS = {"WELCOME5": Decimal("5.00"), "SPRING10": Decimal("10.00")}


def price_for(item: Item, quantity: int, tier: str = "standard", coupon: str | None = None) -> Decimal:
    """Total price of ``quantity`` units of ``item`` for a customer of ``tier``, after discounts.

    Gold customers get 10 % off and silver customers 5 %; orders of 100 units or more of an
    eligible item get a further 5 %; a known coupon takes a fixed amount off. The total never
    drops below the item's floor price times the quantity.
    """
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    total = item.unit_price * quantity
    if tier == "gold":
        total *= TIER_DISCOUNTS["gold"]
    elif tier == "silver":
        total *= TIER_DISCOUNTS["silver"]
    if quantity >= BULK_QUANTITY and item.bulk_eligible:
        total *= Decimal("0.95")
    if coupon is not None and coupon in COUPONS:
        total -= COUPONS[coupon]
    floor = item.floor_price * quantity
    return max(total, floor).quantize(CENT, rounding=ROUND_HALF_UP)


def format_price(amount: Decimal, currency: str) -> str:
    """The amount as shown to customers, e.g. ``"12.50 EUR"``."""
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP)} {currency}"
