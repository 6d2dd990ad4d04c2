"""Inventory service: stock levels, reservations and price quotes over a JSON HTTP API."""

__version__ = "0.3.0"
