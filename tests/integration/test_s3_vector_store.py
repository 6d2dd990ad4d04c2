"""The vector store contract, held by ``S3VectorStore`` on moto and by the in-memory store.

The S3 Vectors store runs against moto in-process with the local cloud's QueryVectors
adaptation (``answer_vector_queries``); every contract test runs against both stores, so
the in-memory one can stand in for S3 Vectors elsewhere. The S3-only tests at the end cover
batching to the API's limits and what an AWS failure becomes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local import moto_adapters
from orchestrator.adapters.s3_vectors import S3VectorStore
from orchestrator.core.errors import (
    CollectionNotFound,
    ConflictError,
    DataStoreRejected,
    InvalidRequest,
    NotFound,
    RepositoryError,
)
from orchestrator.core.vectors import VectorRecord, VectorStore
from tests.fakes.vector_store import InMemoryVectorStore

BUCKET = "test-vectors"
INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@pytest.fixture
def vector_bucket() -> Iterator[str]:
    """A vector bucket on in-process moto that answers QueryVectors."""
    moto_adapters.answer_vector_queries()
    try:
        with mock_aws():
            boto3.client("s3vectors").create_vector_bucket(
                vectorBucketName=BUCKET, encryptionConfiguration={"sseType": "AES256"}
            )
            yield BUCKET
    finally:
        moto_adapters.restore_all()


@pytest.fixture(params=["in-memory", "s3-vectors"])
def store(request: pytest.FixtureRequest) -> VectorStore:
    if request.param == "in-memory":
        return InMemoryVectorStore()
    bucket = request.getfixturevalue("vector_bucket")
    return S3VectorStore(bucket, client=boto3.client("s3vectors"))


def record(key: str, vector: list[float], **metadata: Any) -> VectorRecord:
    return VectorRecord(key=key, vector=vector, metadata=metadata)


def given_files(store: VectorStore, tenant_id: str = "acme", collection_id: str = "repo-1") -> None:
    store.ensure_index(tenant_id, collection_id, dimension=3)
    store.put(
        tenant_id,
        collection_id,
        [
            record("src/app.py", [1.0, 0.0, 0.0], path="src/app.py", language="python", lines=120),
            record("src/util.py", [0.8, 0.2, 0.0], path="src/util.py", language="python", lines=40),
            record("cmd/main.go", [0.0, 1.0, 0.0], path="cmd/main.go", language="go", lines=80),
            record(
                "README.md", [0.0, 0.0, 1.0], path="README.md", language="markdown", tags=["docs", "intro"]
            ),
        ],
    )


# --- the contract --------------------------------------------------------------------------
def test_index_names_are_valid_deterministic_and_per_tenant(store: VectorStore) -> None:
    # Given one collection id used by two tenants
    acme = store.index_name("acme", "repo-1")

    # Then each tenant's index has its own valid name, the same on every call
    assert INDEX_NAME.match(acme) and 3 <= len(acme) <= 63
    assert store.index_name("acme", "repo-1") == acme
    assert store.index_name("globex", "repo-1") != acme
    assert store.index_name("acme", "repo-2") != acme
    # And a collection id cannot smuggle in another tenant's name
    assert store.index_name("acme", "globex#repo-1") != store.index_name("globex", "repo-1")
    with pytest.raises(ValueError, match="tenant id"):
        store.index_name("acme#globex", "repo-1")
    with pytest.raises(ValueError, match="collection id"):
        store.index_name("acme", "")


def test_nearest_vectors_come_first_with_their_scores_and_metadata(store: VectorStore) -> None:
    # Given a tenant's collection of file embeddings
    given_files(store)

    # When it is queried near src/app.py
    matches = store.query("acme", "repo-1", [1.0, 0.1, 0.0], top_k=3)

    # Then the three nearest come back nearest first, each with 1 - distance as its score
    assert [m.key for m in matches] == ["src/app.py", "src/util.py", "cmd/main.go"]
    assert [m.distance for m in matches] == sorted(m.distance for m in matches)
    for match in matches:
        assert match.score == pytest.approx(1 - match.distance)
    assert matches[0].distance == pytest.approx(1 - 1 / (1.01**0.5), abs=1e-6)
    assert matches[0].metadata == {"path": "src/app.py", "language": "python", "lines": 120}


def test_euclidean_collections_score_closer_vectors_higher(store: VectorStore) -> None:
    # Given a collection measured by Euclidean distance
    store.ensure_index("acme", "points", dimension=2, distance_metric="euclidean")
    store.put("acme", "points", [record("origin", [0.0, 0.0]), record("far", [3.0, 4.0])])

    # When it is queried at the origin
    near, far = store.query("acme", "points", [0.0, 0.0], top_k=2)

    # Then distances are Euclidean and the nearer vector scores higher
    assert (near.key, near.distance, far.key, far.distance) == ("origin", 0.0, "far", 5.0)
    assert near.score == 1.0 and far.score == pytest.approx(1 / 6)


@pytest.mark.parametrize(
    ("metadata_filter", "expected"),
    [
        ({"language": "python"}, ["src/app.py", "src/util.py"]),
        ({"language": {"$eq": "go"}}, ["cmd/main.go"]),
        ({"language": {"$in": ["go", "markdown"]}}, ["cmd/main.go", "README.md"]),
        ({"$and": [{"language": "python"}, {"lines": {"$lt": 100}}]}, ["src/util.py"]),
        ({"tags": "docs"}, ["README.md"]),
    ],
)
def test_queries_keep_only_vectors_matching_the_filter(
    store: VectorStore, metadata_filter: dict[str, Any], expected: list[str]
) -> None:
    given_files(store)
    matches = store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=10, filter=metadata_filter)
    assert [m.key for m in matches] == expected


def test_an_unsupported_filter_operator_is_rejected(store: VectorStore) -> None:
    given_files(store)
    with pytest.raises(DataStoreRejected, match="ValidationException"):
        store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=3, filter={"path": {"$regex": "src/.*"}})


def test_a_tenant_never_reaches_another_tenants_collection(store: VectorStore) -> None:
    # Given acme's collection "repo-1"
    given_files(store)

    # When globex uses the same collection id, Then it has no such collection
    with pytest.raises(CollectionNotFound):
        store.query("globex", "repo-1", [1.0, 0.0, 0.0], top_k=3)
    with pytest.raises(CollectionNotFound):
        store.put("globex", "repo-1", [record("x", [1.0, 0.0, 0.0])])
    store.delete("globex", "repo-1", ["src/app.py"])
    store.delete_index("globex", "repo-1")
    # And acme's vectors are untouched
    assert len(store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=10)) == 4


def test_a_missing_collection_is_not_found(store: VectorStore) -> None:
    with pytest.raises(CollectionNotFound) as missing:
        store.query("acme", "never-created", [1.0, 0.0], top_k=1)
    assert isinstance(missing.value, NotFound)
    with pytest.raises(CollectionNotFound):
        store.put("acme", "never-created", [record("x", [1.0, 0.0])])


def test_ensuring_an_index_again_keeps_its_vectors(store: VectorStore) -> None:
    # Given a collection with vectors
    given_files(store)

    # When its index is ensured again with the same parameters
    store.ensure_index("acme", "repo-1", dimension=3)

    # Then nothing is lost; other parameters are a conflict
    assert len(store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=10)) == 4
    with pytest.raises(ConflictError):
        store.ensure_index("acme", "repo-1", dimension=4)
    with pytest.raises(ConflictError):
        store.ensure_index("acme", "repo-1", dimension=3, distance_metric="euclidean")


def test_putting_a_key_again_replaces_its_vector(store: VectorStore) -> None:
    given_files(store)
    store.put("acme", "repo-1", [record("README.md", [1.0, 0.0, 0.0], path="README.md", language="md")])
    (match,) = store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=1, filter={"path": "README.md"})
    assert match.distance == 0.0 and match.metadata == {"path": "README.md", "language": "md"}
    assert len(store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=10)) == 4


def test_deleting_vectors_is_idempotent(store: VectorStore) -> None:
    # Given a collection, When two keys are deleted (one of them twice, one never stored)
    given_files(store)
    store.delete("acme", "repo-1", ["src/app.py", "src/app.py", "no/such/file"])
    store.delete("acme", "repo-1", ["src/app.py"])

    # Then exactly the stored one is gone; a missing collection is fine too
    keys = [m.key for m in store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=10)]
    assert keys == ["src/util.py", "cmd/main.go", "README.md"]
    store.delete("acme", "never-created", ["x"])
    store.delete("acme", "repo-1", [])


def test_deleting_an_index_is_idempotent_and_drops_the_collection(store: VectorStore) -> None:
    given_files(store)
    store.delete_index("acme", "repo-1")
    store.delete_index("acme", "repo-1")
    with pytest.raises(CollectionNotFound):
        store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=1)
    # And the collection can be created again, empty
    store.ensure_index("acme", "repo-1", dimension=2)
    assert store.query("acme", "repo-1", [1.0, 0.0], top_k=5) == []


def test_vectors_of_another_dimension_are_rejected(store: VectorStore) -> None:
    given_files(store)
    with pytest.raises(DataStoreRejected, match="ValidationException"):
        store.put("acme", "repo-1", [record("short", [1.0, 0.0])])
    with pytest.raises(DataStoreRejected, match="ValidationException"):
        store.query("acme", "repo-1", [1.0, 0.0], top_k=1)


def test_invalid_parameters_never_reach_storage(store: VectorStore) -> None:
    given_files(store)
    for top_k in (0, 101):
        with pytest.raises(InvalidRequest):
            store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=top_k)
    with pytest.raises(InvalidRequest):
        store.ensure_index("acme", "repo-2", dimension=0)
    with pytest.raises(InvalidRequest):
        store.ensure_index("acme", "repo-2", dimension=3, distance_metric="dot")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        record("nan", [float("nan"), 0.0, 0.0])
    with pytest.raises(ValueError):
        VectorRecord(key="bad", vector=[1.0], metadata={"nested": {"a": 1}})  # type: ignore[dict-item]


def test_vectors_are_stored_as_float32(store: VectorStore) -> None:
    # Given a vector whose values float32 cannot hold exactly
    store.ensure_index("acme", "precise", dimension=2, distance_metric="euclidean")
    stored = record("v", [0.1, 0.2])
    store.put("acme", "precise", [stored])

    # Then the record and the store both hold float32 values: querying with them is distance 0
    assert stored.vector == [pytest.approx(0.1, abs=1e-7), pytest.approx(0.2, abs=1e-7)]
    assert stored.vector[0] != 0.1
    (match,) = store.query("acme", "precise", stored.vector, top_k=1)
    assert match.distance == 0.0


def test_more_vectors_than_one_call_takes_are_all_stored(store: VectorStore) -> None:
    # Given 1201 vectors (more than two PutVectors calls take)
    store.ensure_index("acme", "large", dimension=2)
    store.put("acme", "large", [record(f"v{n}", [1.0, n / 1000], n=n) for n in range(1201)])

    # Then every one of them is stored, the last batch included
    tail = store.query("acme", "large", [1.0, 0.0], top_k=100, filter={"n": {"$gte": 1150}})
    assert sorted(int(m.key[1:]) for m in tail) == list(range(1150, 1201))
    store.delete("acme", "large", [f"v{n}" for n in range(1201) if n != 1200])
    assert [m.key for m in store.query("acme", "large", [1.0, 0.0], top_k=100)] == ["v1200"]


# --- S3 Vectors only -----------------------------------------------------------------------
class Recording:
    """Passes calls to the real client and remembers each one."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def call(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            return getattr(self.client, name)(**kwargs)

        return call


def test_puts_and_deletes_are_sent_in_batches_the_api_accepts(vector_bucket: str) -> None:
    # Given the S3 Vectors store on a recording client
    client = Recording(boto3.client("s3vectors"))
    store = S3VectorStore(vector_bucket, client=client)
    store.ensure_index("acme", "large", dimension=2)

    # When 1201 vectors are put and deleted
    store.put("acme", "large", [record(f"v{n}", [1.0, float(n)]) for n in range(1201)])
    store.delete("acme", "large", [f"v{n}" for n in range(1201)])

    # Then no call carries more than 500, and every call names this tenant's index in the bucket
    puts = [kwargs for name, kwargs in client.calls if name == "put_vectors"]
    deletes = [kwargs for name, kwargs in client.calls if name == "delete_vectors"]
    assert [len(p["vectors"]) for p in puts] == [500, 500, 201]
    assert [len(d["keys"]) for d in deletes] == [500, 500, 201]
    for _, kwargs in client.calls:
        assert kwargs["vectorBucketName"] == vector_bucket
        assert kwargs["indexName"] == store.index_name("acme", "large")
    assert store.query("acme", "large", [1.0, 0.0], top_k=5) == []


def test_the_default_client_is_created_on_first_use(vector_bucket: str) -> None:
    store = S3VectorStore(vector_bucket)
    store.ensure_index("acme", "lazy", dimension=2)
    store.put("acme", "lazy", [record("a", [1.0, 0.0])])
    assert [m.key for m in store.query("acme", "lazy", [1.0, 0.0], top_k=1)] == ["a"]


def test_a_missing_vector_bucket_is_rejected_not_a_missing_collection(vector_bucket: str) -> None:
    store = S3VectorStore("no-such-bucket", client=boto3.client("s3vectors"))
    with pytest.raises(DataStoreRejected, match="NotFoundException"):
        store.ensure_index("acme", "repo-1", dimension=3)


class Failing:
    """A client whose every call fails with the given AWS error code."""

    def __init__(self, code: str, status: int) -> None:
        self.code, self.status = code, status

    def __getattr__(self, name: str) -> Any:
        def call(**kwargs: Any) -> Any:
            raise ClientError(
                {
                    "Error": {"Code": self.code, "Message": "no"},
                    "ResponseMetadata": {"HTTPStatusCode": self.status},
                },
                name,
            )

        return call


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("TooManyRequestsException", 429, RepositoryError),
        ("ServiceUnavailableException", 503, RepositoryError),
        ("AccessDeniedException", 403, DataStoreRejected),
        ("ValidationException", 400, DataStoreRejected),
    ],
)
def test_aws_failures_become_domain_errors(code: str, status: int, expected: type[Exception]) -> None:
    # Given S3 Vectors failing every call with one error
    store = S3VectorStore(BUCKET, client=Failing(code, status))

    # Then every operation raises the domain error, chained to the AWS error
    operations = [
        lambda: store.ensure_index("acme", "repo-1", dimension=3),
        lambda: store.put("acme", "repo-1", [record("a", [1.0, 0.0, 0.0])]),
        lambda: store.delete("acme", "repo-1", ["a"]),
        lambda: store.delete_index("acme", "repo-1"),
        lambda: store.query("acme", "repo-1", [1.0, 0.0, 0.0], top_k=1),
    ]
    for operation in operations:
        with pytest.raises(expected) as raised:
            operation()
        assert isinstance(raised.value.__cause__, ClientError)


def test_an_index_created_concurrently_is_fine(vector_bucket: str) -> None:
    # Given another caller that creates the index between this store's check and its create
    real = boto3.client("s3vectors")

    class Racing(Recording):
        def __getattr__(self, name: str) -> Any:
            if name != "create_index":
                return super().__getattr__(name)

            def create_index(**kwargs: Any) -> Any:
                real.create_index(**kwargs)  # the other caller wins
                raise ClientError(
                    {"Error": {"Code": "ConflictException", "Message": "exists"}}, "CreateIndex"
                )

            return create_index

    store = S3VectorStore(vector_bucket, client=Racing(real))

    # When the index is ensured, Then the conflict is no error and the index is usable
    store.ensure_index("acme", "raced", dimension=2)
    store.put("acme", "raced", [record("a", [0.0, 1.0])])
    assert [m.key for m in store.query("acme", "raced", [0.0, 1.0], top_k=1)] == ["a"]
