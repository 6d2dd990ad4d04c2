"""An in-memory ``VectorStore``: the same index names, errors and results as ``S3VectorStore``.

Distances and filters are computed by the local cloud's S3 Vectors emulation
(``infra/local/vector_queries.py``), so a filter or a distance means the same in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from infra.local.vector_queries import InvalidVectorQuery, metadata_filter, vector_distance
from orchestrator.core.errors import CollectionNotFound, ConflictError, DataStoreRejected
from orchestrator.core.vectors import (
    DistanceMetric,
    VectorMatch,
    VectorRecord,
    check_index_parameters,
    check_top_k,
    float32,
    score,
    vector_index_name,
)


@dataclass
class _Index:
    dimension: int
    distance_metric: str
    vectors: dict[str, VectorRecord] = field(default_factory=dict)


class InMemoryVectorStore:
    def __init__(self) -> None:
        self.indexes: dict[str, _Index] = {}  # index name -> index

    def index_name(self, tenant_id: str, collection_id: str) -> str:
        return vector_index_name(tenant_id, collection_id)

    def _existing(self, tenant_id: str, collection_id: str) -> _Index:
        index = self.indexes.get(self.index_name(tenant_id, collection_id))
        if index is None:
            raise CollectionNotFound(f"tenant {tenant_id} has no vector collection {collection_id!r}")
        return index

    def ensure_index(
        self, tenant_id: str, collection_id: str, dimension: int, distance_metric: DistanceMetric = "cosine"
    ) -> None:
        check_index_parameters(dimension, distance_metric)
        name = self.index_name(tenant_id, collection_id)
        existing = self.indexes.setdefault(name, _Index(dimension, distance_metric))
        if (existing.dimension, existing.distance_metric) != (dimension, distance_metric):
            raise ConflictError(f"vector collection {collection_id!r} exists with other parameters")

    def put(self, tenant_id: str, collection_id: str, vectors: Sequence[VectorRecord]) -> None:
        index = self._existing(tenant_id, collection_id)
        for record in vectors:
            if len(record.vector) != index.dimension:
                raise DataStoreRejected(
                    f"writing vectors failed: ValidationException: vector {record.key!r} must have "
                    f"length {index.dimension}, but has length {len(record.vector)}"
                )
        for record in vectors:
            index.vectors[record.key] = record

    def delete(self, tenant_id: str, collection_id: str, keys: Sequence[str]) -> None:
        index = self.indexes.get(self.index_name(tenant_id, collection_id))
        if index is None:
            return  # no collection, so no vectors
        for key in keys:
            index.vectors.pop(key, None)

    def delete_index(self, tenant_id: str, collection_id: str) -> None:
        self.indexes.pop(self.index_name(tenant_id, collection_id), None)

    def query(
        self,
        tenant_id: str,
        collection_id: str,
        vector: Sequence[float],
        top_k: int,
        filter: dict[str, Any] | None = None,
    ) -> list[VectorMatch]:
        check_top_k(top_k)
        query = float32(vector)
        try:
            matches = metadata_filter(filter)
        except InvalidVectorQuery as exc:
            raise DataStoreRejected(f"querying failed: ValidationException: {exc}") from exc
        index = self._existing(tenant_id, collection_id)
        if len(query) != index.dimension:
            raise DataStoreRejected(
                f"querying failed: ValidationException: the query vector must have length "
                f"{index.dimension}, but has length {len(query)}"
            )
        if index.distance_metric == "cosine" and not any(query):
            raise DataStoreRejected(
                "querying failed: ValidationException: a zero vector has no cosine distance"
            )
        scored = sorted(
            (
                (vector_distance(index.distance_metric, query, record.vector), record)
                for record in index.vectors.values()
                if matches(record.metadata)
            ),
            key=lambda item: item[0],
        )
        return [
            VectorMatch(
                key=record.key,
                distance=distance,
                score=score(index.distance_metric, distance),
                metadata=dict(record.metadata),
            )
            for distance, record in scored[:top_k]
        ]
