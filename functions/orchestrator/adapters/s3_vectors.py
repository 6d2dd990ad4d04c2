"""Tenants' vector collections in one S3 Vectors bucket: one index per (tenant, collection).

Index names come from ``vector_index_name`` (a hash of tenant and collection), so every call
is confined to the calling tenant's indexes. AWS failures are classified by ``domain_error``;
a missing index is ``CollectionNotFound`` where the caller needs one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from orchestrator.core.aws_errors import domain_error
from orchestrator.core.errors import CollectionNotFound, ConflictError
from orchestrator.core.vectors import (
    MAX_DELETE_BATCH,
    MAX_PUT_BATCH,
    DistanceMetric,
    VectorMatch,
    VectorRecord,
    check_index_parameters,
    check_top_k,
    float32,
    score,
    vector_index_name,
)

NOT_FOUND = "NotFoundException"
CONFLICT = "ConflictException"
T = TypeVar("T")


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class S3VectorStore:
    def __init__(self, vector_bucket: str, client: Any | None = None) -> None:
        self.vector_bucket = vector_bucket
        self._client = client

    def _s3vectors(self) -> Any:
        if self._client is None:
            from orchestrator.adapters.aws_clients import client

            self._client = client("s3vectors")
        return self._client

    def index_name(self, tenant_id: str, collection_id: str) -> str:
        return vector_index_name(tenant_id, collection_id)

    def _index(self, tenant_id: str, collection_id: str) -> dict[str, str]:
        return {
            "vectorBucketName": self.vector_bucket,
            "indexName": self.index_name(tenant_id, collection_id),
        }

    def _missing(self, tenant_id: str, collection_id: str) -> CollectionNotFound:
        return CollectionNotFound(f"tenant {tenant_id} has no vector collection {collection_id!r}")

    def ensure_index(
        self, tenant_id: str, collection_id: str, dimension: int, distance_metric: DistanceMetric = "cosine"
    ) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        check_index_parameters(dimension, distance_metric)
        index = self._index(tenant_id, collection_id)
        action = f"creating vector index {index['indexName']}"
        try:
            existing = self._s3vectors().get_index(**index)["index"]
        except ClientError as exc:
            if _code(exc) != NOT_FOUND:
                raise domain_error(action, exc) from exc
            existing = None
        except BotoCoreError as exc:
            raise domain_error(action, exc) from exc
        if existing is None:
            try:
                self._s3vectors().create_index(
                    **index, dataType="float32", dimension=dimension, distanceMetric=distance_metric
                )
                return
            except ClientError as exc:
                if _code(exc) != CONFLICT:  # another caller created it first
                    raise domain_error(action, exc) from exc
            except BotoCoreError as exc:
                raise domain_error(action, exc) from exc
            try:
                existing = self._s3vectors().get_index(**index)["index"]
            except (ClientError, BotoCoreError) as exc:
                raise domain_error(action, exc) from exc
        if int(existing["dimension"]) != dimension or existing["distanceMetric"] != distance_metric:
            raise ConflictError(
                f"vector collection {collection_id!r} exists with dimension {existing['dimension']} and "
                f"metric {existing['distanceMetric']}, not {dimension} and {distance_metric}"
            )

    def put(self, tenant_id: str, collection_id: str, vectors: Sequence[VectorRecord]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        index = self._index(tenant_id, collection_id)
        for batch in _batches(vectors, MAX_PUT_BATCH):
            payload = [
                {"key": record.key, "data": {"float32": record.vector}}
                | ({"metadata": dict(record.metadata)} if record.metadata else {})
                for record in batch
            ]
            try:
                self._s3vectors().put_vectors(**index, vectors=payload)
            except ClientError as exc:
                if _code(exc) == NOT_FOUND:
                    raise self._missing(tenant_id, collection_id) from exc
                raise domain_error(f"writing vectors to {index['indexName']}", exc) from exc
            except BotoCoreError as exc:
                raise domain_error(f"writing vectors to {index['indexName']}", exc) from exc

    def delete(self, tenant_id: str, collection_id: str, keys: Sequence[str]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        index = self._index(tenant_id, collection_id)
        for batch in _batches(list(dict.fromkeys(keys)), MAX_DELETE_BATCH):
            try:
                self._s3vectors().delete_vectors(**index, keys=list(batch))
            except ClientError as exc:
                if _code(exc) == NOT_FOUND:
                    return  # no index, so no vectors: deleting is idempotent
                raise domain_error(f"deleting vectors from {index['indexName']}", exc) from exc
            except BotoCoreError as exc:
                raise domain_error(f"deleting vectors from {index['indexName']}", exc) from exc

    def delete_index(self, tenant_id: str, collection_id: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        index = self._index(tenant_id, collection_id)
        try:
            self._s3vectors().delete_index(**index)
        except ClientError as exc:
            if _code(exc) == NOT_FOUND:
                return  # already gone
            raise domain_error(f"deleting vector index {index['indexName']}", exc) from exc
        except BotoCoreError as exc:
            raise domain_error(f"deleting vector index {index['indexName']}", exc) from exc

    def query(
        self,
        tenant_id: str,
        collection_id: str,
        vector: Sequence[float],
        top_k: int,
        filter: dict[str, Any] | None = None,
    ) -> list[VectorMatch]:
        from botocore.exceptions import BotoCoreError, ClientError

        check_top_k(top_k)
        index = self._index(tenant_id, collection_id)
        request: dict[str, Any] = index | {
            "topK": top_k,
            "queryVector": {"float32": float32(vector)},
            "returnMetadata": True,
            "returnDistance": True,
        }
        if filter is not None:
            request["filter"] = filter
        matches: list[VectorMatch] = []
        while True:  # a large topK may come back in pages
            try:
                response = self._s3vectors().query_vectors(**request)
            except ClientError as exc:
                if _code(exc) == NOT_FOUND:
                    raise self._missing(tenant_id, collection_id) from exc
                raise domain_error(f"querying {index['indexName']}", exc) from exc
            except BotoCoreError as exc:
                raise domain_error(f"querying {index['indexName']}", exc) from exc
            metric = str(response["distanceMetric"])
            for found in response.get("vectors", []):
                distance = float(found["distance"])
                matches.append(
                    VectorMatch(
                        key=found["key"],
                        distance=distance,
                        score=score(metric, distance),
                        metadata=dict(found.get("metadata") or {}),
                    )
                )
            token = response.get("nextToken")
            if not token or len(matches) >= top_k:
                return matches[:top_k]
            request["nextToken"] = token
