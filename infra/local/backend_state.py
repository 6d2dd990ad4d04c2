"""The data of the emulated services, read from and written back into moto's backends.

The emulation runs in the local cloud's process, so its data is read where moto keeps it (no
request, no copy of large bodies through HTTP) and put back the same way, keeping what the
application holds on to: S3 version ids (the command log undoes a step by version id), item
attributes exactly as DynamoDB stored them, the messages of every queue.

Restored into the resources the deployment just created, by name: a table, bucket or queue the
template no longer has is reported and skipped, never recreated.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from infra.local.moto_adapters import dynamodb_requests_held
from infra.local.state_files import StateFiles

log = logging.getLogger(__name__)

T = TypeVar("T")


def json_default(value: Any) -> Any:
    """What ``json.dumps`` cannot write by itself in moto's records."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not kept by the local cloud's snapshot")


def while_unchanged(read: Callable[[], T], attempts: int = 5) -> T:
    """``read`` again when a request changed the backend's dictionaries under it."""
    for attempt in range(attempts):
        try:
            return read()
        except RuntimeError:  # "dictionary changed size during iteration"
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


# --- DynamoDB --------------------------------------------------------------------------------
def capture_tables(account_id: str, region: str) -> dict[str, list[str]]:
    """Each table's items, each as its JSON text (``StateFiles.encode_fields`` puts them in the
    snapshot): encoded one at a time, so a snapshot of many items holds no dict of every item."""
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[account_id][region]
    with dynamodb_requests_held():  # every request is atomic: read between two of them
        return {
            name: [encode_item(item.to_json()["Attributes"]) for item in table.all_items()]
            for name, table in backend.tables.items()
        }


def encode_item(attributes: dict[str, Any]) -> str:
    return json.dumps(attributes, sort_keys=True, separators=(",", ":"), default=json_default)


def restore_tables(account_id: str, region: str, saved: dict[str, list[dict[str, Any]]]) -> int:
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[account_id][region]
    count = 0
    for name, items in _deployed(saved, backend.tables, "table"):
        for attributes in items:
            backend.put_item(name, attributes)
        count += len(items)
    return count


def _deployed(saved: dict[str, list[Any]], deployed: Any, kind: str) -> Iterator[tuple[str, list[Any]]]:
    """The saved entries whose resource the deployment created; the others are reported."""
    for name, entries in saved.items():
        if name in deployed:
            yield name, entries
        else:
            log.warning("%s %s is no longer deployed: %d saved entries are skipped", kind, name, len(entries))


# --- S3 --------------------------------------------------------------------------------------
class ObjectStore:
    """S3 buckets and every version of their objects; bodies go to the state's blob files."""

    def __init__(self, files: StateFiles, account_id: str) -> None:
        self._files = files
        self._account_id = account_id
        self._digests: dict[tuple[str, str, str, str], str] = {}  # a stored body is never stored again

    def _backend(self) -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[self._account_id]["aws"]

    def capture(self) -> dict[str, Any]:
        buckets = while_unchanged(lambda: dict(self._backend().buckets))
        return {name: self._capture_bucket(bucket) for name, bucket in buckets.items()}

    def _capture_bucket(self, bucket: Any) -> dict[str, Any]:
        listed = while_unchanged(
            lambda: [(name, list(versions)) for name, versions in bucket.keys.iterlists()]
        )
        keys = {
            name: [self._capture_version(bucket.name, version) for version in versions]
            for name, versions in listed
        }
        return {"versioned": bool(bucket.is_versioned), "keys": keys}

    def _capture_version(self, bucket_name: str, version: Any) -> dict[str, Any]:
        entry = {"version_id": version.version_id, "last_modified": version.last_modified.isoformat()}
        if not hasattr(version, "value"):  # a delete marker
            return entry | {"delete_marker": True}
        cache_key = (bucket_name, version.name, version.version_id, version.etag)
        digest = self._digests.get(cache_key)
        if digest is None:
            digest = self._digests[cache_key] = self._files.put_blob(version.value)
        return entry | {"blob": digest, "etag": version.etag, "metadata": dict(version.metadata)}

    def restore(self, saved: dict[str, Any]) -> int:
        from moto.s3.models import FakeDeleteMarker, FakeKey

        backend = self._backend()
        count = 0
        for bucket_name, bucket_state in saved.items():
            bucket = backend.buckets.get(bucket_name)
            if bucket is None:
                log.warning("bucket %s is no longer deployed: its saved objects are skipped", bucket_name)
                continue
            for key_name, versions in bucket_state["keys"].items():
                restored: list[Any] = []
                for entry in versions:
                    if entry.get("delete_marker"):
                        placeholder = FakeKey(key_name, b"", self._account_id, backend.region_name)
                        version: Any = FakeDeleteMarker(key=placeholder)
                    else:
                        version = FakeKey(
                            name=key_name,
                            value=self._files.get_blob(entry["blob"]),
                            account_id=self._account_id,
                            region_name=backend.region_name,
                            etag=entry["etag"].strip('"'),
                            is_versioned=bucket_state["versioned"],
                            bucket_name=bucket_name,
                        )
                        version.set_metadata(dict(entry["metadata"]))
                        self._digests[(bucket_name, key_name, entry["version_id"], version.etag)] = entry[
                            "blob"
                        ]
                    version._version_id = entry["version_id"]
                    version.last_modified = datetime.fromisoformat(entry["last_modified"])
                    restored.append(version)
                bucket.keys.setlist(key_name, restored)
                count += len(restored)
        return count

    @staticmethod
    def blobs(saved: dict[str, Any]) -> set[str]:
        return {
            entry["blob"]
            for bucket in saved.values()
            for versions in bucket["keys"].values()
            for entry in versions
            if "blob" in entry
        }


# --- S3 Vectors ------------------------------------------------------------------------------
def _vector_buckets(account_id: str, region: str) -> Iterator[tuple[str, Any]]:
    from moto.s3vectors.models import s3vectors_backends
    from moto.utilities.utils import get_partition

    backend = s3vectors_backends[account_id][get_partition(region)]  # one backend per partition
    for bucket in while_unchanged(lambda: list(backend.vector_buckets.values())):
        yield bucket.vector_bucket_name, bucket


def capture_vector_indexes(account_id: str, region: str) -> dict[str, list[dict[str, Any]]]:
    return {name: _capture_indexes(bucket) for name, bucket in _vector_buckets(account_id, region)}


def _capture_indexes(bucket: Any) -> list[dict[str, Any]]:
    indexes: list[Any] = while_unchanged(lambda: list(bucket.indexes.values()))
    return [_capture_index(index) for index in indexes]


def _capture_index(index: Any) -> dict[str, Any]:
    vectors: list[Any] = while_unchanged(lambda: list(index.vectors.values()))
    return {
        "name": index.index_name,
        "dimension": index.dimension,
        "data_type": index.data_type,
        "distance_metric": index.distance_metric,
        "vectors": [{"key": v.key, "data": v.data, "metadata": v.metadata} for v in vectors],
    }


def restore_vector_indexes(account_id: str, region: str, saved: dict[str, list[dict[str, Any]]]) -> int:
    from moto.s3vectors.models import Index, Vector

    buckets = dict(_vector_buckets(account_id, region))
    count = 0
    for bucket_name, indexes in saved.items():
        bucket = buckets.get(bucket_name)
        if bucket is None:
            log.warning("vector bucket %s is no longer deployed: its indexes are skipped", bucket_name)
            continue
        for entry in indexes:
            index = Index(
                bucket, entry["name"], entry["dimension"], entry["data_type"], entry["distance_metric"]
            )
            index.vectors = {v["key"]: Vector(v["key"], v["data"], v["metadata"]) for v in entry["vectors"]}
            bucket.indexes[index.index_name] = index
            count += 1
    return count


# --- SQS -------------------------------------------------------------------------------------
def capture_queues(account_id: str, region: str) -> dict[str, list[dict[str, Any]]]:
    from moto.sqs.models import sqs_backends

    captured = {}
    for name, queue in while_unchanged(lambda: dict(sqs_backends[account_id][region].queues)).items():
        lock = getattr(queue, "_messages_lock", None)
        with lock if lock is not None else contextlib.nullcontext():
            messages = list(queue._messages)
        captured[name] = [
            {
                "body": message.body,
                "attributes": message.message_attributes,
                "group_id": message.group_id,
                "deduplication_id": message.deduplication_id,
                "system_attributes": message.system_attributes,
            }
            for message in messages
        ]
    return captured


def restore_queues(account_id: str, region: str, saved: dict[str, list[dict[str, Any]]]) -> int:
    """Messages come back visible: one received but not deleted before the stop is received again,
    as after its visibility timeout."""
    from moto.sqs.models import sqs_backends

    backend = sqs_backends[account_id][region]
    count = 0
    for name, messages in _deployed(saved, backend.queues, "queue"):
        for message in messages:
            backend.send_message(
                name,
                message["body"],
                message_attributes=message["attributes"],
                delay_seconds=0,
                deduplication_id=message["deduplication_id"],
                group_id=message["group_id"],
                system_attributes=message["system_attributes"],
                validate_group_id=False,
            )
        count += len(messages)
    return count
