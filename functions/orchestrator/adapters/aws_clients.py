"""Lazily created, cached boto3 clients (created on first use, reused across invocations).

Every client has an explicit retry configuration: botocore's standard mode with at most
``AWS_MAX_ATTEMPTS`` attempts and explicit timeouts. That is the AWS failure domain's own short
loop (a throttled DynamoDB write is tried again within milliseconds); what still fails becomes a
``RepositoryError`` that the state machine retries with its own backoff. Without this, botocore's
defaults (legacy mode: up to 5 attempts, 60 s read timeout) ran underneath the state machine's
retries and multiplied them.

Where the function has a tenant data access role (``TENANT_DATA_ACCESS_ROLE_ARN``: every function
that touches tenant data), its DynamoDB, S3 and S3 Vectors clients sign every request as the tenant
the invocation acts for (``orchestrator.tenancy.credentials``): IAM then allows only that tenant's
partition keys, objects and vector indexes. Every other service (EventBridge, Step Functions,
Secrets Manager, Bedrock), STS itself and the one table shared by every tenant (the provider
circuits, ``client("dynamodb", as_tenant=False)``) keep the function's own role. The clients are
cached per role, so a process whose variable changes (a test) never reuses a client made for the
other setting.

Every session is instrumented by ``request_meter``: what an invocation asks of AWS is counted
(and priced with the run it serves).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from orchestrator.core.constants import ENV_TENANT_DATA_ACCESS_ROLE

AWS_MAX_ATTEMPTS = 3
AWS_CONNECT_TIMEOUT_SECONDS = 3
AWS_READ_TIMEOUT_SECONDS = 10
TENANT_DATA_SERVICES = frozenset({"dynamodb", "s3", "s3vectors", "kms"})
"""The services holding tenant data: signed as the tenant where the function has the role."""


@cache
def _session() -> Any:
    import boto3

    from orchestrator.adapters.request_meter import instrument

    return instrument(boto3.session.Session())


@cache
def client_config() -> Any:
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": AWS_MAX_ATTEMPTS},
        connect_timeout=AWS_CONNECT_TIMEOUT_SECONDS,
        read_timeout=AWS_READ_TIMEOUT_SECONDS,
    )


def tenant_data_role() -> str:
    """The role tenant data calls are made through, tagged with the tenant; "" for the function's own."""
    return os.environ.get(ENV_TENANT_DATA_ACCESS_ROLE, "")


@cache
def _session_as(role_arn: str) -> Any:
    if not role_arn:
        return _session()
    from orchestrator.adapters.request_meter import instrument
    from orchestrator.tenancy.credentials import tenant_data_session

    loader = _session()._session.get_component("data_loader")  # the models are parsed once per process
    return instrument(tenant_data_session(role_arn, sts=lambda: client("sts"), data_loader=loader))


def dynamodb_resource() -> Any:
    return _dynamodb_resource(tenant_data_role())


@cache
def _dynamodb_resource(role_arn: str) -> Any:
    return _session_as(role_arn).resource("dynamodb", config=client_config())


def client(service: str, *, as_tenant: bool = True) -> Any:
    """The cached client of ``service``; signed as the invocation's tenant where it holds tenant data
    (``as_tenant=False``: the function's own role, for data shared by every tenant)."""
    role = tenant_data_role() if as_tenant and service in TENANT_DATA_SERVICES else ""
    return _client(service, role)


@cache
def _client(service: str, role_arn: str) -> Any:
    return _session_as(role_arn).client(service, config=client_config())
