"""Lazily created, cached boto3 clients (created on first use, reused across invocations).

Every client has an explicit retry configuration: botocore's standard mode with at most
``AWS_MAX_ATTEMPTS`` attempts and explicit timeouts. That is the AWS failure domain's own short
loop (a throttled DynamoDB write is tried again within milliseconds); what still fails becomes a
``RepositoryError`` that the state machine retries with its own backoff. Without this, botocore's
defaults (legacy mode: up to 5 attempts, 60 s read timeout) ran underneath the state machine's
retries and multiplied them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

AWS_MAX_ATTEMPTS = 3
AWS_CONNECT_TIMEOUT_SECONDS = 3
AWS_READ_TIMEOUT_SECONDS = 10


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


@cache
def client_config() -> Any:
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": AWS_MAX_ATTEMPTS},
        connect_timeout=AWS_CONNECT_TIMEOUT_SECONDS,
        read_timeout=AWS_READ_TIMEOUT_SECONDS,
    )


@cache
def dynamodb_resource() -> Any:
    return _session().resource("dynamodb", config=client_config())


@cache
def client(service: str) -> Any:
    return _session().client(service, config=client_config())
