"""Webhook signing secrets sealed with KMS: what the Webhooks table holds is ciphertext bound to its
tenant and endpoint (the encryption context), readable only by the functions allowed to decrypt,
as that tenant (the tenant data access roles' condition on ``kms:EncryptionContext:tenant_id``).

An opened secret is kept for 5 minutes per ciphertext: a delivery does not cost a KMS call each.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from orchestrator.core.aws_errors import domain_error

SEALED_PREFIX = "kms:"
KEEP_SECONDS = 300.0


class KmsSecretBox:
    def __init__(self, key_id: str, client: Any | None = None) -> None:
        self._key_id = key_id
        self._client = client
        self._opened: dict[str, tuple[str, float]] = {}

    def _kms(self) -> Any:
        if self._client is None:
            from orchestrator.adapters.aws_clients import client

            self._client = client("kms")  # signed as the invocation's tenant
        return self._client

    def seal(self, tenant_id: str, endpoint_id: str, secret: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._kms().encrypt(
                KeyId=self._key_id,
                Plaintext=secret.encode(),
                EncryptionContext={"tenant_id": tenant_id, "endpoint_id": endpoint_id},
            )
        except (ClientError, BotoCoreError) as exc:
            raise domain_error("sealing a webhook secret", exc) from exc
        return SEALED_PREFIX + base64.b64encode(response["CiphertextBlob"]).decode()

    def open(self, tenant_id: str, endpoint_id: str, sealed: str) -> str:
        if not sealed.startswith(SEALED_PREFIX):
            return sealed  # kept before secrets were sealed
        kept = self._opened.get(sealed)
        if kept is not None and time.monotonic() - kept[1] < KEEP_SECONDS:
            return kept[0]
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._kms().decrypt(
                CiphertextBlob=base64.b64decode(sealed.removeprefix(SEALED_PREFIX)),
                EncryptionContext={"tenant_id": tenant_id, "endpoint_id": endpoint_id},
            )
        except (ClientError, BotoCoreError) as exc:
            raise domain_error("opening a webhook secret", exc) from exc
        secret = bytes(response["Plaintext"]).decode()
        self._opened[sealed] = (secret, time.monotonic())
        return secret
