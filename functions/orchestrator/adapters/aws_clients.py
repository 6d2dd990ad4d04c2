"""Lazily created, cached boto3 clients (created on first use, reused across invocations).

Every client has an explicit retry configuration: botocore's standard mode with at most
``AWS_MAX_ATTEMPTS`` attempts and explicit timeouts. That is the AWS failure domain's own short
loop (a throttled DynamoDB write is tried again within milliseconds); what still fails becomes a
``RepositoryError`` that the state machine retries with its own backoff. Without this, botocore's
defaults (legacy mode: up to 5 attempts, 60 s read timeout) ran underneath the state machine's
retries and multiplied them.

Where the function has a tenant data access role (``TENANT_DATA_ACCESS_ROLE_ARN``: the API), its
DynamoDB client and resource sign every request as the tenant the request acts for
(``orchestrator.tenancy.credentials``): IAM then allows only that tenant's partition keys. Every
other service, and STS itself, keeps the function's own role. The clients are cached per role, so
a process whose variable changes (a test) never reuses a client made for the other setting.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from orchestrator.core.constants import ENV_TENANT_DATA_ACCESS_ROLE

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


def tenant_data_role() -> str:
    """The role DynamoDB calls are made through, tagged with the tenant; "" for the function's own."""
    return os.environ.get(ENV_TENANT_DATA_ACCESS_ROLE, "")


@cache
def _session_as(role_arn: str) -> Any:
    if not role_arn:
        return _session()
    from orchestrator.tenancy.credentials import tenant_data_session

    return tenant_data_session(role_arn, sts=lambda: client("sts"))


def dynamodb_resource() -> Any:
    return _dynamodb_resource(tenant_data_role())


@cache
def _dynamodb_resource(role_arn: str) -> Any:
    return _session_as(role_arn).resource("dynamodb", config=client_config())


def client(service: str) -> Any:
    return _client(service, tenant_data_role() if service == "dynamodb" else "")


@cache
def _client(service: str, role_arn: str) -> Any:
    return _session_as(role_arn).client(service, config=client_config())
