"""Storage of items and stock: an in-memory repository whose reservations expire."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from inventory.errors import ItemNotFound, OutOfStock, ReservationNotFound
from inventory.models import Item, Reservation, StockLevel


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InMemoryInventoryRepository:
    """Items, stock levels and reservations kept in memory, for one process."""

    def __init__(self, reservation_minutes: int = 15, clock: Callable[[], datetime] = _utc_now) -> None:
        self._items: dict[str, Item] = {}
        self._stock: dict[str, StockLevel] = {}
        self._reservations: dict[str, Reservation] = {}
        self._hold = timedelta(minutes=reservation_minutes)
        self._clock = clock

    def add_item(self, item: Item, on_hand: int = 0) -> None:
        """Add an item (or replace it) with ``on_hand`` units in stock."""
        self._items[item.sku] = item
        self._stock[item.sku] = StockLevel(sku=item.sku, on_hand=on_hand)

    def get_item(self, sku: str) -> Item:
        """The item with this SKU; raises ``ItemNotFound``."""
        try:
            return self._items[sku]
        except KeyError:
            raise ItemNotFound(f"no item has the SKU {sku}") from None

    def stock(self, sku: str) -> StockLevel:
        """The item's stock level, after expired reservations are released."""
        self.get_item(sku)
        self.expire_reservations()
        return self._stock[sku]

    def reserve(self, sku: str, quantity: int) -> Reservation:
        """Hold ``quantity`` units for an order; raises ``OutOfStock`` when too few are available."""
        level = self.stock(sku)
        if quantity <= 0 or quantity > level.available:
            raise OutOfStock(f"{quantity} units of {sku} asked for, {level.available} available")
        reservation = Reservation(
            reservation_id=uuid.uuid4().hex,
            sku=sku,
            quantity=quantity,
            expires_at=self._clock() + self._hold,
        )
        level.reserved += quantity
        self._reservations[reservation.reservation_id] = reservation
        return reservation

    def release(self, reservation_id: str) -> None:
        """Give a reservation's units back before it expires."""
        reservation = self._reservations.pop(reservation_id, None)
        if reservation is None:
            raise ReservationNotFound(f"no open reservation {reservation_id}")
        self._stock[reservation.sku].reserved -= reservation.quantity

    def expire_reservations(self) -> int:
        """Release every reservation past its expiry; returns how many were released."""
        now = self._clock()
        expired = [r for r in self._reservations.values() if r.expired(now)]
        for reservation in expired:
            self.release(reservation.reservation_id)
        return len(expired)
