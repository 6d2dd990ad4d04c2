"""Errors of the inventory service, each mapped to an HTTP status by the handler."""

from __future__ import annotations


class InventoryError(Exception):
    """Base class of every error the service reports to its callers."""

    status = 400


class ConfigError(InventoryError):
    """The configuration file or an environment variable is invalid."""

    status = 500


class ItemNotFound(InventoryError):
    """No item has this SKU."""

    status = 404


class OutOfStock(InventoryError):
    """Fewer units are available than were asked for."""

    status = 409


class ReservationNotFound(InventoryError):
    """No open reservation has this id (it may have expired)."""

    status = 404
