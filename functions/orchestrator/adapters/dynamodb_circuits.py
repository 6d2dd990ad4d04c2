"""The provider circuits' state in the Circuits table (Powertools' DynamoDB persistence)."""

from __future__ import annotations

from typing import Any

from orchestrator.core.constants import PK, SK, TTL_ATTRIBUTE
from orchestrator.llm.circuits import PARTITION


def circuit_persistence(table_name: str, client: Any | None = None) -> Any:
    """Powertools' DynamoDB persistence with the Circuits table's key layout
    (``orchestrator.llm.circuits``)."""
    from aws_lambda_powertools.utilities.circuit_breaker.persistence import CircuitBreakerDynamoDBPersistence

    if client is None:
        from orchestrator.adapters.aws_clients import client as aws_client

        # the function's own role: one partition shared by every tenant, never a tenant's data
        client = aws_client("dynamodb", as_tenant=False)
    return CircuitBreakerDynamoDBPersistence(
        table_name=table_name,
        key_attr=PK,
        sort_key_attr=SK,
        static_pk_value=PARTITION,
        expiry_attr=TTL_ATTRIBUTE,
        boto3_client=client,
    )
