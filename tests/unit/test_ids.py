"""Run ids: 26 characters, sorted by creation time, deterministic for an event."""

from __future__ import annotations

import re

from orchestrator.core.ids import new_run_id, run_id_for_event

STEP_FUNCTIONS_NAME = re.compile(r"^[0-9a-z]{1,80}$")


def test_run_ids_are_26_lowercase_characters_valid_as_execution_names() -> None:
    for _ in range(50):
        run_id = new_run_id()
        assert len(run_id) == 26
        assert STEP_FUNCTIONS_NAME.match(run_id)
        assert not set(run_id) & set("ilou")  # Crockford base32: no ambiguous letters


def test_run_ids_are_unique() -> None:
    assert len({new_run_id() for _ in range(1000)}) == 1000


def test_run_ids_sort_by_creation_time_whatever_their_randomness() -> None:
    # Given ids created one millisecond apart, the later one with the smallest randomness
    earlier = new_run_id(now_ms=1_700_000_000_000, entropy=b"\xff" * 10)
    later = new_run_id(now_ms=1_700_000_000_001, entropy=b"\x00" * 10)

    # Then the later id sorts after the earlier one
    assert earlier < later


def test_run_ids_over_years_sort_in_time_order() -> None:
    times = [0, 1, 31, 32, 1_000, 1_700_000_000_000, 2_000_000_000_000, 2**48 - 1]
    ids = [new_run_id(now_ms=ms, entropy=bytes(10)) for ms in reversed(times)]
    assert sorted(ids) == list(reversed(ids))


def test_the_same_event_always_maps_to_the_same_run_id() -> None:
    first = run_id_for_event("8f0d4c1e-event", 1_700_000_000_000)
    again = run_id_for_event("8f0d4c1e-event", 1_700_000_000_000)
    other = run_id_for_event("another-event", 1_700_000_000_000)

    assert first == again
    assert other != first
    assert len(first) == 26
    assert first[:10] == new_run_id(now_ms=1_700_000_000_000)[:10]  # still sorts by the event time
