"""The tenants' workspace: one versioned S3 bucket, one prefix per tenant (``<tenant>/...``)."""

from __future__ import annotations

from typing import Any

from orchestrator.core.aws_errors import domain_error
from orchestrator.core.errors import DataStoreRejected


class S3Workspace:
    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        self._client = client

    def _s3(self) -> Any:
        if self._client is None:
            from orchestrator.adapters.aws_clients import client

            self._client = client("s3")
        return self._client

    def put(self, key: str, body: bytes, content_type: str, metadata: dict[str, str]) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._s3().put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata
            )
        except (ClientError, BotoCoreError) as exc:
            raise domain_error(f"writing {key}", exc) from exc
        version = response.get("VersionId")
        if not version or version == "null":
            # permanent (a retry cannot help): undo needs the version each write made
            raise DataStoreRejected(f"writing {key} failed: bucket {self.bucket} is not versioned")
        return str(version)

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return bytes(self._s3().get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except (ClientError, BotoCoreError) as exc:
            raise domain_error(f"reading {key}", exc) from exc

    def size(self, key: str) -> int | None:
        """The current version's size in bytes, or None when the key does not exist."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return int(self._s3().head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise domain_error(f"reading {key}", exc) from exc
        except BotoCoreError as exc:
            raise domain_error(f"reading {key}", exc) from exc

    def presign_put(self, key: str, content_type: str, size_bytes: int, expires_in: int) -> str:
        """A URL that lets its holder PUT exactly this object (type and length signed) until it expires."""
        url: str = self._s3().generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ContentType": content_type,
                "ContentLength": size_bytes,
            },
            ExpiresIn=expires_in,
        )
        return url

    def delete_version(self, key: str, version_id: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._s3().delete_object(Bucket=self.bucket, Key=key, VersionId=version_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchVersion"):
                return  # already gone: undo is idempotent
            raise domain_error(f"deleting {key} version {version_id}", exc) from exc
        except BotoCoreError as exc:
            raise domain_error(f"deleting {key} version {version_id}", exc) from exc

    def versions(self, prefix: str) -> list[tuple[str, str, dict[str, str]]]:
        from botocore.exceptions import BotoCoreError, ClientError

        found: list[tuple[str, str, dict[str, str]]] = []
        try:
            paginator = self._s3().get_paginator("list_object_versions")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for version in page.get("Versions", []):
                    head = self._s3().head_object(
                        Bucket=self.bucket, Key=version["Key"], VersionId=version["VersionId"]
                    )
                    found.append((version["Key"], version["VersionId"], dict(head.get("Metadata", {}))))
                for marker in page.get("DeleteMarkers", []):
                    found.append((marker["Key"], marker["VersionId"], {}))
        except (ClientError, BotoCoreError) as exc:
            raise domain_error(f"listing versions under {prefix}", exc) from exc
        return found
