"""The prompt repository: immutable numbered versions per tenant and agent type, one active, rollback,
pinning for a run, and safe templates."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from orchestrator.agents import AGENTS, get_agent
from orchestrator.core.errors import ConflictError, InvalidRequest, NotFound
from orchestrator.llm.prompts import (
    ALLOWED_PLACEHOLDERS,
    MAX_HISTORY,
    ActivePointer,
    PromptLibrary,
    PromptVersion,
    allowed_placeholders,
    check_template_text,
)
from tests.fakes.prompt_store import InMemoryPromptStore

AGENT = "planner"
SYSTEM = "You are the ${title} agent. ${goal}\nAnswer as JSON matching ${schema}"
USER = "Topic: $topic\n$facts"


@pytest.fixture
def store() -> InMemoryPromptStore:
    return InMemoryPromptStore()


@pytest.fixture
def library(store: InMemoryPromptStore) -> PromptLibrary:
    ticks = count()
    return PromptLibrary(
        store, clock=lambda: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=next(ticks))
    )


def _create(
    library: PromptLibrary,
    tenant: str = "acme",
    text: str = "",
    *,
    agent: str = AGENT,
    note: str = "",
    activate: bool = False,
) -> PromptVersion:
    return library.create(
        tenant, agent, system=SYSTEM + text, user=USER, note=note, created_by="alice", activate=activate
    )


def test_without_any_version_stored_the_shipped_prompt_is_active(library: PromptLibrary) -> None:
    # Given a tenant that never touched its prompts
    # When it asks for an agent's active prompt and its versions
    active = library.active("acme", AGENT)
    versions = library.versions("acme", AGENT)
    # Then the prompt shipped with the code is active, as version 1, and it is the only version
    agent = get_agent(AGENT)
    assert (active.version, active.label, active.shipped) == (1, "v1", True)
    assert (active.system, active.user, active.created_by) == (
        agent.system_prompt,
        agent.user_prompt,
        "product",
    )
    assert versions == [active]
    assert library.version("acme", AGENT, 1) == active


def test_a_new_version_is_numbered_after_the_highest_and_does_not_change_what_is_active(
    library: PromptLibrary,
) -> None:
    # Given the shipped v1
    # When an admin adds two versions
    second = _create(library, text=" (2)", note="shorter")
    third = _create(library, text=" (3)")
    # Then they are v2 and v3, listed after the shipped one, and the shipped one is still active
    assert (second.label, third.label) == ("v2", "v3")
    assert (second.note, second.created_by, second.shipped) == ("shorter", "alice", False)
    assert [v.version for v in library.versions("acme", AGENT)] == [1, 2, 3]
    assert library.active("acme", AGENT).shipped
    assert library.version("acme", AGENT, 2).system == SYSTEM + " (2)"


def test_versions_are_immutable(library: PromptLibrary, store: InMemoryPromptStore) -> None:
    # Given a stored v2
    second = _create(library, text=" original")
    # When something tries to store another v2
    rewrite = second.model_copy(update={"system": SYSTEM + " rewritten"})
    with pytest.raises(ConflictError, match="exists"):
        store.create_version(rewrite)
    # Then v2 keeps its text, and a model object of a version cannot be changed in place either
    assert library.version("acme", AGENT, 2).system == SYSTEM + " original"
    with pytest.raises(ValueError, match="frozen"):
        second.system = "changed"  # type: ignore[misc]


def test_creating_with_activate_makes_the_new_version_the_active_one(library: PromptLibrary) -> None:
    created = _create(library, text=" now", activate=True)
    assert library.active("acme", AGENT) == created
    assert library.pin("acme", [AGENT]) == {AGENT: 2}


def test_activate_then_rollback_walks_back_through_the_history(library: PromptLibrary) -> None:
    # Given v2 and v3, activated one after the other
    _create(library, text=" (2)")
    _create(library, text=" (3)")
    library.activate("acme", AGENT, 2, by="alice")
    pointer = library.activate("acme", AGENT, 3, by="bob")
    assert (pointer.version, pointer.previous, pointer.updated_by) == (3, [1, 2], "bob")
    # When an admin rolls back twice
    first = library.rollback("acme", AGENT, by="carol")
    assert library.active("acme", AGENT).system == SYSTEM + " (2)"
    second = library.rollback("acme", AGENT, by="carol")
    # Then v2 and then the shipped v1 are active again
    assert (first.version, second.version) == (2, 1)
    assert library.active("acme", AGENT).shipped
    assert second.revision == 4  # every change is a new revision of the pointer
    # And a third rollback has nothing left to go back to
    with pytest.raises(ConflictError, match=r"nothing to roll back to.*before v1"):
        library.rollback("acme", AGENT, by="carol")


def test_rollback_with_nothing_ever_activated_is_a_conflict(library: PromptLibrary) -> None:
    _create(library)  # stored but never activated
    with pytest.raises(ConflictError, match="nothing to roll back to"):
        library.rollback("acme", AGENT, by="alice")


def test_activating_the_active_version_again_changes_nothing(library: PromptLibrary) -> None:
    _create(library)
    pointer = library.activate("acme", AGENT, 2, by="alice")
    again = library.activate("acme", AGENT, 2, by="bob")
    assert again == pointer
    assert library.rollback("acme", AGENT, by="bob").version == 1  # not back to v2 itself


def test_only_existing_versions_of_known_agents_can_be_activated(library: PromptLibrary) -> None:
    with pytest.raises(NotFound, match="no prompt version 7"):
        library.activate("acme", AGENT, 7, by="alice")
    with pytest.raises(NotFound, match="no agent type 'nonexistent_agent'"):
        library.activate("acme", "nonexistent_agent", 1, by="alice")
    with pytest.raises(NotFound, match="no agent type"):
        _create(library, agent="Planner; drop")
    assert library.active_pointer("acme", AGENT) is None


def test_the_activation_history_is_bounded(library: PromptLibrary) -> None:
    # Given two versions activated back and forth many times
    _create(library)
    for round_ in range(MAX_HISTORY + 10):
        library.activate("acme", AGENT, 2 if round_ % 2 == 0 else 1, by="alice")
    # Then only the most recent activations are remembered
    pointer = library.active_pointer("acme", AGENT)
    assert pointer is not None
    assert len(pointer.previous) == MAX_HISTORY
    assert pointer.revision == MAX_HISTORY + 10


def test_a_run_keeps_the_versions_it_pinned_whatever_is_activated_later(library: PromptLibrary) -> None:
    # Given v2 active when a run starts with two agent types
    _create(library, text=" pinned", activate=True)
    pinned = library.pin("acme", [AGENT, "reporter", AGENT])
    assert pinned == {AGENT: 2, "reporter": 1}
    # When an admin activates v3 meanwhile
    _create(library, text=" later", activate=True)
    # Then the run still finds the text it pinned, and new runs pin v3
    assert library.version("acme", AGENT, pinned[AGENT]).system == SYSTEM + " pinned"
    assert library.pin("acme", [AGENT]) == {AGENT: 3}


def test_tenants_never_see_each_others_versions(library: PromptLibrary) -> None:
    # Given tenant A's own v2, active
    _create(library, tenant="tenant-a", text=" secret of A", activate=True)
    # When tenant B looks
    # Then it sees the shipped prompt only, cannot fetch or activate A's v2, and numbers its own from v2
    assert library.active("tenant-b", AGENT).shipped
    assert [v.version for v in library.versions("tenant-b", AGENT)] == [1]
    with pytest.raises(NotFound):
        library.version("tenant-b", AGENT, 2)
    with pytest.raises(NotFound):
        library.activate("tenant-b", AGENT, 2, by="mallory")
    assert library.pin("tenant-b", [AGENT]) == {AGENT: 1}
    own = _create(library, tenant="tenant-b", text=" of B")
    assert own.version == 2
    assert library.version("tenant-a", AGENT, 2).system.endswith("secret of A")


def test_a_tenant_id_that_could_reach_another_partition_is_refused(library: PromptLibrary) -> None:
    with pytest.raises(ValueError, match="tenant id"):
        library.active("acme#planner", AGENT)


def test_concurrent_creators_each_get_their_own_number(library: PromptLibrary) -> None:
    # Given ten admins adding a version at the same moment
    with ThreadPoolExecutor(max_workers=10) as pool:
        created = list(pool.map(lambda i: _create(library, text=f" #{i}"), range(10)))
    # Then every one is stored under a number of its own, v2..v11, with its own text
    assert sorted(v.version for v in created) == list(range(2, 12))
    for version in created:
        assert library.version("acme", AGENT, version.version).system == version.system


def test_a_number_taken_meanwhile_moves_the_new_version_to_the_next_one(
    library: PromptLibrary, store: InMemoryPromptStore
) -> None:
    # Given another creator that takes v2 between our read and our write
    original = store.create_version
    raced = []

    def racing(version: PromptVersion) -> None:
        if not raced:
            raced.append(True)
            original(version.model_copy(update={"system": SYSTEM + " theirs", "created_by": "bob"}))
        original(version)

    store.create_version = racing  # type: ignore[method-assign]
    # When we create
    ours = _create(library, text=" ours")
    # Then ours is v3, and theirs is untouched
    assert ours.version == 3
    assert library.version("acme", AGENT, 2).created_by == "bob"
    assert library.version("acme", AGENT, 3).system == SYSTEM + " ours"


def test_activation_racing_another_change_is_applied_on_top_of_it_but_rollback_refuses(
    library: PromptLibrary, store: InMemoryPromptStore
) -> None:
    _create(library)
    _create(library)
    library.activate("acme", AGENT, 2, by="alice")
    original = store.set_active
    races_to_lose = [True]  # the activation below loses one race

    def someone_else_first(tenant_id: str, agent: str, pointer: ActivePointer, expected: int | None) -> None:
        current = store.get_active(tenant_id, agent)
        assert current is not None
        if races_to_lose:  # another admin changes it just before our write
            races_to_lose.pop()
            original(
                tenant_id, agent, current.model_copy(update={"revision": current.revision + 1}), expected
            )
        original(tenant_id, agent, pointer, expected)

    store.set_active = someone_else_first  # type: ignore[method-assign]
    # When an activation loses the race, it reads again and still lands
    assert library.activate("acme", AGENT, 3, by="bob").version == 3
    assert library.active("acme", AGENT).version == 3
    # But a rollback that loses the race is refused: what it would undo has changed
    races_to_lose.append(True)
    with pytest.raises(ConflictError, match="changed meanwhile"):
        library.rollback("acme", AGENT, by="bob")


def test_tool_agents_have_no_prompt_to_change(library: PromptLibrary) -> None:
    assert not get_agent("repo_embedder").uses_model
    with pytest.raises(InvalidRequest, match="is a tool"):
        _create(library, agent="repo_embedder")


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (
            "${__import__('os').system('id')}",
            r"\$\{__import__\('os'\)\.s\" at line 1, column 1 is not a placeholder",
        ),
        ("Run $foo.bar now", r"\$foo is not a placeholder"),
        ("{{7*7}} and $Title", r"\$Title is not a placeholder"),
        ("costs 5$", r"'\$' at line 1, column 8"),
        ("line\n  $1 dollar", r"line 2, column 3"),
        ("${title.__class__}", r"is not a placeholder"),
        ("$transcript", r"\$transcript is not a placeholder"),
    ],
)
def test_unsafe_or_unknown_placeholders_are_refused_with_the_field_named(
    library: PromptLibrary, text: str, complaint: str
) -> None:
    with pytest.raises(InvalidRequest, match=complaint) as refused:
        library.create("acme", AGENT, system=SYSTEM, user=text, note="", created_by="alice")
    assert str(refused.value).startswith("user: ")
    assert "$$ for a literal" in str(refused.value)
    assert library.versions("acme", AGENT)[-1].shipped  # nothing was stored


def test_an_agent_may_use_the_placeholders_its_own_shipped_prompt_uses(library: PromptLibrary) -> None:
    created = library.create(
        "acme",
        "sales_meddpic_extractor",
        system=SYSTEM,
        user="<<<\n${transcript}\n>>>",
        note="",
        created_by="a",
    )
    assert created.version == 2
    assert "transcript" in allowed_placeholders(get_agent("sales_meddpic_extractor"))


def test_templates_render_literally_and_never_run_code(library: PromptLibrary) -> None:
    # Given a version with look-alikes of other template languages, a literal dollar and attribute syntax
    version = library.create(
        "acme",
        AGENT,
        system="{{7*7}} {% if x %} costs $$5 for $title.__class__ #{1+1}",
        user="${topic}: $facts",
        note="",
        created_by="alice",
    )
    # When it is rendered with values that themselves look like placeholders
    system, user = PromptLibrary.render(
        version, {"title": "Planner", "topic": "${goal}", "facts": "$$ {{x}}"}
    )
    # Then everything but the placeholders stays as written, and values are never expanded again
    assert system == "{{7*7}} {% if x %} costs $5 for Planner.__class__ #{1+1}"
    assert user == "${goal}: $$ {{x}}"


def test_prompt_texts_and_notes_have_size_limits(library: PromptLibrary) -> None:
    with pytest.raises(InvalidRequest, match=r"^system has 20001 characters: at most 20000"):
        library.create("acme", AGENT, system="x" * 20_001, user=USER, note="", created_by="a")
    with pytest.raises(InvalidRequest, match=r"^note has 501 characters"):
        library.create("acme", AGENT, system=SYSTEM, user=USER, note="n" * 501, created_by="a")
    with pytest.raises(InvalidRequest, match=r"^user is empty"):
        library.create("acme", AGENT, system=SYSTEM, user="  \n", note="", created_by="a")


def test_every_shipped_prompt_is_a_valid_template_of_its_agent() -> None:
    for agent_type in AGENTS:
        agent = get_agent(agent_type)
        allowed = allowed_placeholders(agent)
        check_template_text(agent.system_prompt, f"{agent_type}.system", allowed)
        check_template_text(agent.user_prompt, f"{agent_type}.user", allowed)
    assert frozenset(
        {"title", "goal", "schema", "topic", "step", "step_title", "item", "context", "facts"}
    ) == (ALLOWED_PLACEHOLDERS)


def test_the_overview_lists_every_agent_type_with_its_active_and_latest_version(
    library: PromptLibrary,
) -> None:
    _create(library)
    _create(library, activate=True)
    _create(library)
    overview = {item.agent: item for item in library.overview("acme")}
    assert set(overview) == set(AGENTS)
    planner = overview[AGENT]
    assert (planner.active_version, planner.latest_version, planner.versions, planner.shipped_version) == (
        3,
        4,
        4,
        1,
    )
    assert (overview["reporter"].active_version, overview["reporter"].versions) == (1, 1)
    assert overview["repo_embedder"].uses_model is False
