"""The emulated services' data saved and put back into freshly deployed, empty resources: items as
stored, every object version under its own version id (delete markers too), queue messages and
vector indexes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.persistence import Persistence
from infra.local.state_files import StateFileError
from tests.local_cloud.emulation import REGION, vector_query_server

ACCOUNT = "123456789012"
VECTOR_BUCKET = "collections"


def _deploy(client: Any) -> None:
    """The empty resources a deployment creates."""
    client("dynamodb").create_table(
        TableName="runs",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client("s3").create_bucket(Bucket="workspace")
    client("s3").put_bucket_versioning(Bucket="workspace", VersioningConfiguration={"Status": "Enabled"})
    client("sqs").create_queue(QueueName="dead-letters")
    client("s3vectors").create_vector_bucket(vectorBucketName=VECTOR_BUCKET)


def _everything(client: Any) -> dict[str, Any]:
    s3, sqs = client("s3"), client("sqs")
    versions = s3.list_object_versions(Bucket="workspace")
    bodies = {
        (v["Key"], v["VersionId"]): s3.get_object(Bucket="workspace", Key=v["Key"], VersionId=v["VersionId"])
        for v in versions["Versions"]
    }
    url = sqs.get_queue_url(QueueName="dead-letters")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    vectors = client("s3vectors").list_vectors(
        vectorBucketName=VECTOR_BUCKET, indexName="run-1", returnData=True, returnMetadata=True
    )
    return {
        "items": sorted(client("dynamodb").scan(TableName="runs")["Items"], key=str),
        "versions": sorted(
            (v["Key"], v["VersionId"], v["IsLatest"], v["ETag"]) for v in versions["Versions"]
        ),
        "markers": sorted(
            (m["Key"], m["VersionId"], m["IsLatest"]) for m in versions.get("DeleteMarkers", [])
        ),
        "bodies": {key: (o["Body"].read(), o["ContentType"], o["Metadata"]) for key, o in bodies.items()},
        "messages": sorted(
            (m["Body"], str(m.get("MessageAttributes"))) for m in messages.get("Messages", [])
        ),
        "vectors": sorted(str(v) for v in vectors["vectors"]),
    }


def _fill(client: Any) -> None:
    client("dynamodb").put_item(
        TableName="runs",
        Item={
            "pk": {"S": "acme"},
            "sk": {"S": "run-1"},
            "cost": {"N": "0.125"},
            "raw": {"B": b"\x00\xffbytes"},
            "steps": {"L": [{"M": {"name": {"S": "design"}, "blob": {"B": b"\x01"}}}]},
            "tags": {"SS": ["a", "b"]},
        },
    )
    s3 = client("s3")
    s3.put_object(Bucket="workspace", Key="acme/plan.md", Body=b"v1", ContentType="text/markdown")
    s3.put_object(Bucket="workspace", Key="acme/plan.md", Body=b"v2", Metadata={"run": "run-1"})
    s3.put_object(Bucket="workspace", Key="acme/gone.txt", Body=b"bye")
    s3.delete_object(Bucket="workspace", Key="acme/gone.txt")
    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName="dead-letters")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody='{"failed": 1}')
    sqs.send_message(
        QueueUrl=url,
        MessageBody='{"failed": 2}',
        MessageAttributes={"reason": {"DataType": "String", "StringValue": "timeout"}},
    )
    vectors = client("s3vectors")
    vectors.create_index(
        vectorBucketName=VECTOR_BUCKET,
        indexName="run-1",
        dataType="float32",
        dimension=3,
        distanceMetric="cosine",
    )
    vectors.put_vectors(
        vectorBucketName=VECTOR_BUCKET,
        indexName="run-1",
        vectors=[{"key": "chunk-1", "data": {"float32": [0.1, 0.2, 0.3]}, "metadata": {"path": "a.py"}}],
    )


def test_saved_data_comes_back_whole_into_a_new_deployment(tmp_path: Path) -> None:
    with vector_query_server() as (endpoint, session):

        def client(service: str) -> Any:
            return session.client(service, endpoint_url=endpoint)

        _deploy(client)
        _fill(client)
        before = _everything(client)
        saved = Persistence(tmp_path, ACCOUNT, REGION)
        assert saved.save() is True
        assert saved.save() is False  # nothing changed: nothing written

        # When the emulation starts again (empty), is deployed, and the saved state is restored
        requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
        _deploy(client)
        persistence = Persistence(tmp_path, ACCOUNT, REGION)
        restored = persistence.restore()

        # Then everything reads as before, version ids, delete markers and binary attributes included
        assert restored is not None
        assert (restored.items, restored.objects, restored.vector_indexes, restored.messages) == (1, 4, 1, 2)
        assert _everything(client) == before

        # And saved again by that start and its stop, with the body of a version deleted since
        first = next(key for key, (body, *_) in before["bodies"].items() if body == b"v1")
        client("s3").delete_object(Bucket="workspace", Key=first[0], VersionId=first[1])
        persistence.start_saving()
        persistence.close()
        blobs = {path.name for path in persistence.files.blob_dir.iterdir()}
        assert len(blobs) == 2  # "v2" and "bye"; the deleted version's body is gone
        requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
        _deploy(client)
        assert Persistence(tmp_path, ACCOUNT, REGION).restore() is not None
        assert _everything(client)["versions"] == [v for v in before["versions"] if v[1] != first[1]]


def test_a_snapshot_the_emulation_refuses_stops_the_start_with_what_to_do(tmp_path: Path) -> None:
    with vector_query_server() as (endpoint, session):
        _deploy(lambda service: session.client(service, endpoint_url=endpoint))
        files = Persistence(tmp_path, ACCOUNT, REGION).files
        files.write(files.encode({"dynamodb": {"runs": [{"sk": {"S": "no partition key"}}]}}))
        with pytest.raises(
            StateFileError, match=r"snapshot\.json could not be restored \(.*\); start with --fresh"
        ):
            Persistence(tmp_path, ACCOUNT, REGION).restore()
