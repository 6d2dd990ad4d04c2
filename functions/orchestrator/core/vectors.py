"""What the domain needs from vector storage: one index per tenant and collection.

S3 Vectors implements it (``s3_vectors.py``); tests hand in an in-memory store. An index's
name is derived from the tenant and the collection id together, so a collection id alone
can never name another tenant's index.
"""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
)

from orchestrator.core.errors import InvalidRequest
from orchestrator.core.records import validate_tenant_id

DistanceMetric = Literal["cosine", "euclidean"]
DISTANCE_METRICS: tuple[str, ...] = ("cosine", "euclidean")
MetadataScalar = StrictStr | StrictBool | StrictInt | StrictFloat
MetadataValue = MetadataScalar | list[MetadataScalar]

MAX_PUT_BATCH = 500  # vectors per PutVectors call
MAX_DELETE_BATCH = 500  # keys per DeleteVectors call
MAX_TOP_K = 100  # results per QueryVectors call
MAX_DIMENSION = 4096
MAX_KEY_LENGTH = 1024
MAX_COLLECTION_ID_LENGTH = 1024
INDEX_NAME_PREFIX = "c-"
TENANT_INDEX_KEY_CHARS = 16  # 64 bits of sha256(tenant): the part of an index name IAM fences on
INDEX_NAME_DIGEST_CHARS = 32  # 128 bits of sha256(tenant#collection): "c-" + 16 + "-" + 32 = 51 characters


def float32(values: Sequence[float]) -> list[float]:
    """``values`` as S3 Vectors stores them (float32); a value float32 cannot hold is refused."""
    converted = list(array("f", values))
    if not all(math.isfinite(value) for value in converted):
        raise ValueError("vector values must be finite float32 numbers")
    return converted


class VectorRecord(BaseModel):
    """One vector to store: its key in the collection, float32 data and filterable metadata."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=MAX_KEY_LENGTH)
    vector: list[float] = Field(min_length=1, max_length=MAX_DIMENSION)
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)

    @field_validator("vector")
    @classmethod
    def _float32(cls, value: list[float]) -> list[float]:
        return float32(value)


class VectorMatch(BaseModel):
    """One query result: ``distance`` as the index measures it, ``score`` higher for closer
    (cosine: 1 - distance, the cosine similarity; euclidean: 1 / (1 + distance))."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    score: float
    distance: float
    metadata: dict[str, Any] = Field(default_factory=dict)


def score(distance_metric: str, distance: float) -> float:
    return 1.0 - distance if distance_metric == "cosine" else 1.0 / (1.0 + distance)


def tenant_index_key(tenant_id: str) -> str:
    """What every index name of the tenant begins with after ``c-``: 16 hex digits of sha256(tenant).

    A tenant data session carries it as its ``tenant_index`` tag, and IAM allows the session only
    the indexes ``c-<that key>-*`` (``infra/cdk/constructs/tenant_access.py``). Tenant ids cannot be
    that prefix themselves: they may hold ``_`` and 63 characters, index names neither. The key has a
    fixed length, so one tenant's key is never the beginning of another's pattern.
    """
    validate_tenant_id(tenant_id)
    return hashlib.sha256(tenant_id.encode()).hexdigest()[:TENANT_INDEX_KEY_CHARS]


def vector_index_name(tenant_id: str, collection_id: str) -> str:
    """The index of a tenant's collection: ``c-<tenant key>-`` + a sha256 prefix of
    ``<tenant>#<collection>``.

    Tenant ids never contain ``#``, so different (tenant, collection) pairs never share the hashed
    text; the name uses lowercase hex digits and hyphens only, as index names must.
    """
    tenant_key = tenant_index_key(tenant_id)
    if not isinstance(collection_id, str) or not 1 <= len(collection_id) <= MAX_COLLECTION_ID_LENGTH:
        raise ValueError(f"collection id must be 1-{MAX_COLLECTION_ID_LENGTH} characters")
    digest = hashlib.sha256(f"{tenant_id}#{collection_id}".encode()).hexdigest()
    return f"{INDEX_NAME_PREFIX}{tenant_key}-{digest[:INDEX_NAME_DIGEST_CHARS]}"


def check_index_parameters(dimension: int, distance_metric: str) -> None:
    if isinstance(dimension, bool) or not isinstance(dimension, int) or not 1 <= dimension <= MAX_DIMENSION:
        raise InvalidRequest(f"a vector index has 1-{MAX_DIMENSION} dimensions, not {dimension!r}")
    if distance_metric not in DISTANCE_METRICS:
        raise InvalidRequest(f"distance metric must be one of {', '.join(DISTANCE_METRICS)}")


def check_top_k(top_k: int) -> None:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise InvalidRequest(f"a query returns 1-{MAX_TOP_K} results, not {top_k!r}")


class VectorStore(Protocol):
    """Vectors of a tenant's collections, one index per (tenant, collection).

    ``filter`` is an S3 Vectors metadata filter (``{"path": "a.py"}``, ``$eq``, ``$ne``, ``$in``,
    ``$nin``, ``$gt``/``$gte``/``$lt``/``$lte``, ``$exists``, ``$and``, ``$or``). A missing
    collection is ``CollectionNotFound`` for ``put`` and ``query``; a vector or query of the
    wrong dimension, or an invalid filter, is ``DataStoreRejected``.
    """

    def index_name(self, tenant_id: str, collection_id: str) -> str: ...

    def ensure_index(
        self, tenant_id: str, collection_id: str, dimension: int, distance_metric: DistanceMetric = "cosine"
    ) -> None:
        """Create the collection's index; an existing one with the same dimension and metric is
        fine, one with others is ``ConflictError``."""
        ...

    def put(self, tenant_id: str, collection_id: str, vectors: Sequence[VectorRecord]) -> None:
        """Store (or replace, by key) vectors in the collection."""
        ...

    def delete(self, tenant_id: str, collection_id: str, keys: Sequence[str]) -> None:
        """Remove vectors by key; missing keys and a missing collection are fine."""
        ...

    def delete_index(self, tenant_id: str, collection_id: str) -> None:
        """Remove the collection and its vectors; a missing collection is fine."""
        ...

    def query(
        self,
        tenant_id: str,
        collection_id: str,
        vector: Sequence[float],
        top_k: int,
        filter: dict[str, Any] | None = None,
    ) -> list[VectorMatch]:
        """The ``top_k`` nearest vectors matching ``filter``, nearest first."""
        ...
