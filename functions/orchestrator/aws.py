"""Lazily created, cached boto3 clients (created on first use, reused across invocations)."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


@cache
def dynamodb_resource() -> Any:
    return _session().resource("dynamodb")


@cache
def client(service: str) -> Any:
    return _session().client(service)
