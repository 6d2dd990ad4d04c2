"""Domain models: items, their stock levels and the reservations held against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Item:
    """Something the shop sells, identified by its SKU."""

    sku: str
    name: str
    unit_price: Decimal
    floor_price: Decimal = Decimal("0")
    bulk_eligible: bool = True


@dataclass
class StockLevel:
    """Units of one item on hand and how many of them are reserved."""

    sku: str
    on_hand: int
    reserved: int = 0

    @property
    def available(self) -> int:
        """Units that can still be reserved."""
        return max(self.on_hand - self.reserved, 0)

    def is_low(self, threshold: int) -> bool:
        """Whether fewer than ``threshold`` units are available."""
        return self.available < threshold


@dataclass(frozen=True)
class Reservation:
    """Units of an item held for an order until ``expires_at``."""

    reservation_id: str
    sku: str
    quantity: int
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at
