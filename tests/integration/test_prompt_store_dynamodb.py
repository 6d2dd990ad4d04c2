"""The prompt repository on the Prompts table (moto), and the in-memory fake held to the same contract."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from orchestrator.adapters.dynamodb_prompts import DynamoPromptStore
from orchestrator.agents import get_agent
from orchestrator.core.constants import PK, SK
from orchestrator.core.errors import ConflictError
from orchestrator.llm.prompts import ActivePointer, PromptLibrary, PromptStore, PromptSummary, PromptVersion
from tests.fakes.prompt_store import InMemoryPromptStore
from tests.integration.conftest import MotoAws

AGENT = "planner"
AT = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def version(number: int, tenant: str = "acme", text: str = "") -> PromptVersion:
    return PromptVersion(
        tenant_id=tenant,
        agent=AGENT,
        version=number,
        system=f"You are ${{title}}. Résumé ✓ {text}",
        user="Topic: $topic",
        note="tighter wording",
        created_by="alice",
        created_at=AT,
    )


def pointer(number: int, revision: int, previous: list[int] | None = None) -> ActivePointer:
    return ActivePointer(
        agent=AGENT,
        version=number,
        previous=previous or [],
        updated_by="alice",
        updated_at=AT,
        revision=revision,
    )


@pytest.fixture(params=["dynamodb", "in-memory"])
def store(request: pytest.FixtureRequest, aws: MotoAws) -> PromptStore:
    if request.param == "dynamodb":
        return DynamoPromptStore(aws.tables["Prompts"])
    return InMemoryPromptStore()


def test_versions_round_trip_and_are_listed_oldest_first_without_the_pointer(store: PromptStore) -> None:
    # Given two versions and an active pointer
    store.create_version(version(3, text="three"))
    store.create_version(version(2, text="two"))
    store.set_active("acme", AGENT, pointer(3, 1, [1]), None)
    # When they are read back
    listed = store.list_versions("acme", AGENT)
    # Then every field survives, in version order, and the pointer is not a version
    assert listed == [version(2, text="two"), version(3, text="three")]
    assert store.get_version("acme", AGENT, 3) == version(3, text="three")
    assert store.get_version("acme", AGENT, 4) is None
    assert store.get_active("acme", AGENT) == pointer(3, 1, [1])
    summary = store.summary("acme", AGENT)
    assert (summary.active, summary.numbers) == (pointer(3, 1, [1]), [2, 3])


def test_a_version_number_is_written_once(store: PromptStore) -> None:
    store.create_version(version(2, text="first"))
    with pytest.raises(ConflictError, match="version 2 of agent planner"):
        store.create_version(version(2, text="second"))
    stored = store.get_version("acme", AGENT, 2)
    assert stored is not None and stored.system.endswith("first")


def test_the_pointer_changes_only_from_the_revision_the_writer_read(store: PromptStore) -> None:
    # Given no pointer: only a writer expecting none may create it
    with pytest.raises(ConflictError):
        store.set_active("acme", AGENT, pointer(2, 1), 1)
    store.set_active("acme", AGENT, pointer(2, 1), None)
    with pytest.raises(ConflictError):
        store.set_active("acme", AGENT, pointer(3, 1), None)
    # When two writers both read revision 1, the second one's write is refused
    store.set_active("acme", AGENT, pointer(3, 2, [2]), 1)
    with pytest.raises(ConflictError, match="changed meanwhile"):
        store.set_active("acme", AGENT, pointer(4, 2, [2]), 1)
    assert store.get_active("acme", AGENT) == pointer(3, 2, [2])


def test_tenants_and_agent_types_are_separate_partitions(store: PromptStore) -> None:
    store.create_version(version(2, tenant="tenant-a", text="of A"))
    store.set_active("tenant-a", AGENT, pointer(2, 1, [1]), None)
    assert store.list_versions("tenant-b", AGENT) == []
    assert store.get_version("tenant-b", AGENT, 2) is None
    assert store.get_active("tenant-b", AGENT) is None
    assert store.summary("tenant-a", "reporter").numbers == []
    with pytest.raises(ValueError, match="tenant id"):
        store.list_versions("tenant-a#planner", AGENT)
    with pytest.raises(ValueError, match="agent type"):
        store.get_active("tenant-a", "planner#x")


def test_items_are_keyed_as_the_table_declares(aws: MotoAws) -> None:
    # Given a version and the pointer stored by the DynamoDB store
    store = DynamoPromptStore(aws.tables["Prompts"])
    store.create_version(version(12))
    store.set_active("acme", AGENT, pointer(12, 1, [1]), None)
    # Then the partition is <tenant>#<agent type>; the sort key the zero-padded number, or ACTIVE
    table = boto3.resource("dynamodb").Table(aws.tables["Prompts"])
    items = table.query(
        KeyConditionExpression="#pk = :pk",
        ExpressionAttributeNames={"#pk": PK},
        ExpressionAttributeValues={":pk": "acme#planner"},
    )["Items"]
    assert [item[SK] for item in items] == ["000012", "ACTIVE"]
    assert items[0]["version"] == 12 and "shipped" not in items[0]
    assert items[1]["previous"] == [1] and items[1]["revision"] == 1


class ReadThenWaitStore(DynamoPromptStore):
    """Every creator reads the stored numbers, then waits until all have read: they all race for v2."""

    def __init__(self, table_name: str, resource: Any, barrier: threading.Barrier) -> None:
        super().__init__(table_name, resource)
        self._barrier = barrier

    def summary(self, tenant_id: str, agent: str) -> PromptSummary:
        read = super().summary(tenant_id, agent)
        self._barrier.wait(timeout=10)
        return read


def test_ten_concurrent_creators_get_ten_distinct_version_numbers(
    aws: MotoAws, one_dynamodb_request_at_a_time: None
) -> None:
    # Given ten admins, each in a function instance of its own, who all read "no version stored yet"
    get_agent(
        AGENT
    )  # loaded once per process, as in each function instance (the registry is not thread-safe)
    barrier = threading.Barrier(10)

    def create(index: int) -> PromptVersion:
        resource = boto3.session.Session().resource("dynamodb")
        library = PromptLibrary(ReadThenWaitStore(aws.tables["Prompts"], resource, barrier))
        return library.create(
            "acme",
            AGENT,
            system=f"You are $title #{index}",
            user="$topic",
            note="",
            created_by=f"admin-{index}",
        )

    # When they all add a version at the same moment
    with ThreadPoolExecutor(max_workers=10) as pool:
        created = list(pool.map(create, range(10)))
    # Then every version got a number of its own (v2..v11), each stored with its creator's text
    assert sorted(v.version for v in created) == list(range(2, 12))
    library = PromptLibrary(DynamoPromptStore(aws.tables["Prompts"]))
    for made in created:
        stored = library.version("acme", AGENT, made.version)
        assert (stored.system, stored.created_by) == (made.system, made.created_by)
    assert [v.version for v in library.versions("acme", AGENT)] == list(range(1, 12))


def test_the_library_over_dynamodb_activates_rolls_back_and_pins(aws: MotoAws) -> None:
    library = PromptLibrary(DynamoPromptStore(aws.tables["Prompts"]))
    library.create("acme", AGENT, system="A $title", user="$topic", note="", created_by="a", activate=True)
    library.create("acme", AGENT, system="B $title", user="$topic", note="", created_by="a", activate=True)
    assert library.pin("acme", [AGENT, "reporter"]) == {AGENT: 3, "reporter": 1}
    assert library.rollback("acme", AGENT, by="b").version == 2
    assert library.active("acme", AGENT).system == "A $title"
    assert library.rollback("acme", AGENT, by="b").version == 1
    assert library.active("acme", AGENT).shipped
    with pytest.raises(ConflictError, match="nothing to roll back to"):
        library.rollback("acme", AGENT, by="b")
    overview = {item.agent: item for item in library.overview("acme", [AGENT])}
    assert (overview[AGENT].active_version, overview[AGENT].latest_version, overview[AGENT].versions) == (
        1,
        3,
        3,
    )
