"""Price quotes: discounts apply in order and never go below the floor price."""

from __future__ import annotations

from decimal import Decimal

import pytest
from inventory.models import Item
from inventory.pricing import format_price, price_for

BOOK = Item(sku="BOOK-001", name="Field guide", unit_price=Decimal("20.00"), floor_price=Decimal("12.00"))


def test_standard_customers_pay_the_list_price() -> None:
    assert price_for(BOOK, 2) == Decimal("40.00")


def test_gold_customers_get_ten_percent_off() -> None:
    assert price_for(BOOK, 1, tier="gold") == Decimal("18.00")


def test_bulk_orders_get_a_further_discount() -> None:
    assert price_for(BOOK, 100, tier="silver") == Decimal("1805.00")


def test_a_coupon_never_brings_the_price_below_the_floor() -> None:
    assert price_for(BOOK, 1, coupon="SPRING10") == Decimal("12.00")


def test_quantities_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        price_for(BOOK, 0)


def test_prices_are_shown_with_their_currency() -> None:
    assert format_price(Decimal("12.5"), "EUR") == "12.50 EUR"
