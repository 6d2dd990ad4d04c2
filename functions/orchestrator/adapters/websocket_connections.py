"""Posting to WebSocket clients through API Gateway's Management API (``@connections``), with the
function's own role (``execute-api:ManageConnections`` on the stack's WebSocket API only)."""

from __future__ import annotations

from typing import Any

from orchestrator.core.aws_errors import domain_error


class ApiGatewayConnections:
    def __init__(self, callback_url: str, client: Any | None = None) -> None:
        self._callback_url = callback_url  # https://<api id>.execute-api.<region>.amazonaws.com/<stage>
        self._client = client

    def _management(self) -> Any:
        if self._client is None:
            import boto3

            from orchestrator.adapters.aws_clients import client_config

            self._client = boto3.session.Session().client(
                "apigatewaymanagementapi", endpoint_url=self._callback_url, config=client_config()
            )
        return self._client

    def post(self, connection_id: str, data: bytes) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._management().post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "GoneException":
                return False
            raise domain_error(f"posting to connection {connection_id}", exc) from exc
        except BotoCoreError as exc:
            raise domain_error(f"posting to connection {connection_id}", exc) from exc
        return True
