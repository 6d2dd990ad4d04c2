"""QueryVectors on the local cloud's S3 Vectors (moto server + ``answer_vector_queries``).

A boto3 client talks to a running moto server, as the functions do on the local cloud; the
answers follow the service: distances by the index's metric, nearest first, ``topK``, metadata
filters, what is returned on request, and the service's error codes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local_cloud.emulation import vector_query_server

BUCKET = "query-vectors"
FILMS = [  # key, vector, metadata
    ("doc-a", [1.0, 0.0, 0.0], {"genre": "documentary", "year": 2019, "tags": ["nature", "ocean"]}),
    ("doc-b", [0.9, 0.1, 0.0], {"genre": "documentary", "year": 2023, "tags": ["city"], "award": True}),
    ("drama", [0.0, 1.0, 0.0], {"genre": "drama", "year": 2021, "award": False}),
    ("comedy", [0.0, 0.0, 1.0], {"genre": "comedy", "year": 2020}),
    ("untagged", [0.5, 0.5, 0.0], {}),
]


@pytest.fixture(scope="module")
def s3vectors() -> Iterator[Any]:
    with vector_query_server() as (endpoint, session):
        client = session.client("s3vectors", endpoint_url=endpoint)
        client.create_vector_bucket(vectorBucketName=BUCKET)
        for metric in ("cosine", "euclidean"):
            client.create_index(
                vectorBucketName=BUCKET,
                indexName=metric,
                dataType="float32",
                dimension=3,
                distanceMetric=metric,
            )
            client.put_vectors(
                vectorBucketName=BUCKET,
                indexName=metric,
                vectors=[{"key": k, "data": {"float32": v}, "metadata": m} for k, v, m in FILMS],
            )
        yield client


def query(client: Any, index: str = "cosine", **kwargs: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "vectorBucketName": BUCKET,
        "indexName": index,
        "topK": 10,
        "queryVector": {"float32": [1.0, 0.0, 0.0]},
    }
    request = {key: value for key, value in (request | kwargs).items() if value is not None}
    response: dict[str, Any] = client.query_vectors(**request)
    return response


def keys(response: dict[str, Any]) -> list[str]:
    return [v["key"] for v in response["vectors"]]


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_cosine_distances_are_one_minus_the_similarity_nearest_first(s3vectors: Any) -> None:
    # Given vectors in a cosine index, When it is queried with distances
    answer = query(s3vectors, queryVector={"float32": [1.0, 0.2, 0.0]}, returnDistance=True)

    # Then every vector comes back nearest first, its distance 1 - cosine similarity
    def cosine_distance(v: list[float]) -> float:
        q = [1.0, 0.2, 0.0]
        dot = sum(a * b for a, b in zip(q, v, strict=True))
        return 1 - dot / (math.hypot(*q) * math.hypot(*v))

    expected = sorted(FILMS, key=lambda film: cosine_distance(film[1]))
    assert answer["distanceMetric"] == "cosine"
    assert keys(answer) == [key for key, _, _ in expected]
    for found, (_, vector, _) in zip(answer["vectors"], expected, strict=True):
        assert found["distance"] == pytest.approx(cosine_distance(vector), abs=1e-6)
    distances = [v["distance"] for v in answer["vectors"]]
    assert distances == sorted(distances)


def test_euclidean_distances_are_the_straight_line_distance(s3vectors: Any) -> None:
    # Given the same vectors in a euclidean index, When it is queried
    answer = query(s3vectors, "euclidean", queryVector={"float32": [0.0, 0.0, 1.0]}, returnDistance=True)

    # Then the distances are Euclidean, nearest first
    assert answer["distanceMetric"] == "euclidean"
    assert keys(answer)[0] == "comedy" and answer["vectors"][0]["distance"] == 0.0
    by_key = {v["key"]: v["distance"] for v in answer["vectors"]}
    assert by_key["drama"] == pytest.approx(math.sqrt(2), abs=1e-6)
    assert by_key["untagged"] == pytest.approx(math.sqrt(1.5), abs=1e-6)


def test_top_k_bounds_the_answer(s3vectors: Any) -> None:
    # Given five vectors, When asking for the two nearest, Then exactly those two come back
    assert keys(query(s3vectors, topK=2)) == ["doc-a", "doc-b"]
    # When asking for more than there are, Then all of them come back
    assert len(query(s3vectors, topK=100)["vectors"]) == len(FILMS)


def test_distance_and_metadata_are_returned_only_on_request(s3vectors: Any) -> None:
    # Given a query without returnDistance and returnMetadata, Then only keys come back
    plain = query(s3vectors, topK=1)
    assert plain["vectors"] == [{"key": "doc-a"}]
    # When both are requested, Then the stored metadata and the distance come back too
    full = query(s3vectors, topK=1, returnMetadata=True, returnDistance=True)
    assert full["vectors"] == [{"key": "doc-a", "distance": 0.0, "metadata": FILMS[0][2]}]


def test_an_index_can_be_named_by_its_arn(s3vectors: Any) -> None:
    # Given the index's ARN, When the query names the index by it, Then the same answer comes back
    arn = s3vectors.get_index(vectorBucketName=BUCKET, indexName="cosine")["index"]["indexArn"]
    answer = s3vectors.query_vectors(indexArn=arn, topK=2, queryVector={"float32": [1.0, 0.0, 0.0]})
    assert keys(answer) == ["doc-a", "doc-b"]


@pytest.mark.parametrize(
    ("metadata_filter", "expected"),
    [
        ({"genre": "drama"}, ["drama"]),
        ({"genre": {"$eq": "documentary"}}, ["doc-a", "doc-b"]),
        ({"genre": {"$ne": "documentary"}}, ["untagged", "drama", "comedy"]),
        ({"genre": {"$in": ["comedy", "drama"]}}, ["drama", "comedy"]),
        ({"genre": {"$nin": ["comedy", "drama"]}}, ["doc-a", "doc-b", "untagged"]),
        ({"year": {"$gte": 2020, "$lt": 2023}}, ["drama", "comedy"]),
        ({"year": {"$gt": 2022}}, ["doc-b"]),
        ({"year": {"$lte": 2019}}, ["doc-a"]),
        ({"tags": "ocean"}, ["doc-a"]),  # a list matches when one of its elements does
        ({"tags": {"$in": ["city", "ocean"]}}, ["doc-a", "doc-b"]),
        ({"award": True}, ["doc-b"]),
        ({"award": {"$exists": False}}, ["doc-a", "untagged", "comedy"]),
        ({"$and": [{"genre": "documentary"}, {"year": {"$gt": 2020}}]}, ["doc-b"]),
        ({"$or": [{"genre": "comedy"}, {"award": False}]}, ["drama", "comedy"]),
        ({"genre": "documentary", "year": 2019}, ["doc-a"]),  # several keys must all hold
        ({"year": 1}, []),
        ({"award": 1}, []),  # a boolean is not the number 1
    ],
)
def test_filters_keep_only_matching_vectors(
    s3vectors: Any, metadata_filter: dict[str, Any], expected: list[str]
) -> None:
    # Given vectors with metadata, When querying with a metadata filter
    answer = query(s3vectors, filter=metadata_filter)

    # Then only the matching vectors come back, still nearest first
    assert keys(answer) == expected


@pytest.mark.parametrize(
    "metadata_filter",
    [
        {"genre": {"$regex": "dra.*"}},
        {"$not": {"genre": "drama"}},
        {"genre": {"$in": "drama"}},
        {"genre": {"$in": []}},
        {"year": {"$gt": "2020"}},
        {"genre": {"$exists": "yes"}},
        {"$and": []},
        {"$or": {"genre": "drama"}},
        {"genre": {}},
        {"genre": ["drama"]},
    ],
)
def test_an_invalid_filter_is_a_validation_exception(s3vectors: Any, metadata_filter: dict[str, Any]) -> None:
    # Given a filter with an unsupported operator or a malformed operand, When querying
    with pytest.raises(ClientError) as refused:
        query(s3vectors, filter=metadata_filter)

    # Then the service's ValidationException comes back
    assert error_code(refused) == "ValidationException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_query_vector_of_another_dimension_is_a_validation_exception(s3vectors: Any) -> None:
    with pytest.raises(ClientError) as refused:
        query(s3vectors, queryVector={"float32": [1.0, 0.0]})
    assert error_code(refused) == "ValidationException"
    assert "length 3" in refused.value.response["Error"]["Message"]


def test_a_missing_index_or_bucket_is_not_found(s3vectors: Any) -> None:
    with pytest.raises(ClientError) as no_index:
        query(s3vectors, "no-such-index")
    assert error_code(no_index) == "NotFoundException"
    assert no_index.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as no_bucket:
        query(s3vectors, vectorBucketName="no-such-bucket")
    assert error_code(no_bucket) == "NotFoundException"


@pytest.mark.parametrize(
    "request_fields",
    [
        {"topK": 101},
        {"queryVector": {"float32": [0.0, 0.0, 0.0]}},  # a zero vector has no cosine distance
        {"queryVector": None},  # neither a vector nor texts to search for
    ],
)
def test_an_invalid_query_is_a_validation_exception(s3vectors: Any, request_fields: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as refused:
        query(s3vectors, **request_fields)
    assert error_code(refused) == "ValidationException"


def test_answers_follow_writes_and_deletes(s3vectors: Any) -> None:
    # Given a fresh index with two vectors
    s3vectors.create_index(
        vectorBucketName=BUCKET,
        indexName="changing",
        dataType="float32",
        dimension=2,
        distanceMetric="cosine",
    )
    s3vectors.put_vectors(
        vectorBucketName=BUCKET,
        indexName="changing",
        vectors=[
            {"key": "x", "data": {"float32": [1.0, 0.0]}},
            {"key": "y", "data": {"float32": [0.0, 1.0]}},
        ],
    )
    request = {
        "vectorBucketName": BUCKET,
        "indexName": "changing",
        "topK": 1,
        "queryVector": {"float32": [0, 1]},
    }
    assert keys(s3vectors.query_vectors(**request)) == ["y"]

    # When "x" is rewritten next to the query and "y" deleted
    s3vectors.put_vectors(
        vectorBucketName=BUCKET, indexName="changing", vectors=[{"key": "x", "data": {"float32": [0.1, 1.0]}}]
    )
    s3vectors.delete_vectors(vectorBucketName=BUCKET, indexName="changing", keys=["y"])

    # Then the query sees the new data and no longer the deleted vector
    assert keys(s3vectors.query_vectors(**request | {"topK": 5})) == ["x"]
