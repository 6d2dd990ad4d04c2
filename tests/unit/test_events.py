"""The lifecycle event envelope: made in one place, the same shape on the bus and in the audit table."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from orchestrator.core.events import RunIds, new_envelope
from orchestrator.core.records import EventEnvelope, Run, RunReference


def test_an_envelope_names_the_run_of_its_scope_and_gets_a_new_id_and_the_time() -> None:
    run = Run(tenant_id="acme", run_id="r1", template="generic", topic="t", correlation_id="c1")
    before = datetime.now(UTC)

    first = new_envelope("PHASE_COMPLETED", run, phase="design", payload={"step": "design"})
    second = new_envelope("PHASE_COMPLETED", run, phase="design", payload={"step": "design"})

    assert (first.tenant_id, first.run_id, first.correlation_id) == ("acme", "r1", "c1")
    assert first.event_type == "PHASE_COMPLETED" and first.phase == "design"
    assert first.payload == {"step": "design"}
    assert first.event_id != second.event_id
    assert before <= first.timestamp <= datetime.now(UTC) + timedelta(seconds=1)


def test_a_task_input_and_separate_ids_make_the_same_envelope() -> None:
    task = RunReference(tenant_id="acme", run_id="r1", correlation_id="c1", template="generic")
    ids = RunIds(tenant_id="acme", run_id="r1", correlation_id="c1")

    from_task = new_envelope("USER_ACTION", task, payload={"action": "cancel"})
    from_ids = new_envelope("USER_ACTION", ids, payload={"action": "cancel"})

    ignore = {"event_id", "timestamp"}
    assert from_task.model_dump(exclude=ignore) == from_ids.model_dump(exclude=ignore)


def test_the_envelope_has_the_shape_the_bus_and_the_audit_table_always_carried() -> None:
    ids = RunIds(tenant_id="acme", run_id="r1", correlation_id="c1")

    made = new_envelope("RUN_REQUEST_REFUSED", ids)
    spelled_out = EventEnvelope(
        event_id=made.event_id,
        event_type="RUN_REQUEST_REFUSED",
        correlation_id="c1",
        tenant_id="acme",
        run_id="r1",
        timestamp=made.timestamp,
    )

    assert made.model_dump_json() == spelled_out.model_dump_json()
    assert list(json.loads(made.model_dump_json())) == [
        "event_id",
        "event_type",
        "correlation_id",
        "tenant_id",
        "run_id",
        "phase",
        "timestamp",
        "payload",
    ]
    assert made.payload == {} and made.phase is None
