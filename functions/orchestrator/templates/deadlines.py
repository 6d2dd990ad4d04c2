"""Approval deadlines: a reminder before a gate's deadline, and what happens when it passes.

A gate (``ApprovalStep``) may declare:

- ``remind_before_seconds``: that many seconds before its deadline, nobody having decided, the
  gate is re-armed with a new task token and ``APPROVAL_REMINDER`` is published;
- ``on_deadline``: what happens when nobody decided in ``timeout_seconds``:
  ``undo`` (the default: the run is undone, ``ApprovalTimedOut``), ``escalate`` (the gate is
  re-armed for ``escalate_to_roles`` only, for ``escalation_timeout_seconds`` more; nobody deciding
  then undoes the run), ``approve`` or ``reject`` (the gate decides by itself,
  ``APPROVAL_DEFAULTED``; a rejection undoes the run, which ends ``REJECTED``).

A run that shortens its gates' window (``options.approval_timeout_seconds``) shortens the time
before the reminder and the escalation's window in the same proportion, so a gate keeps its
shape at any scale; a gate with a reminder keeps at least 2 seconds (one before the reminder,
one after).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal, Protocol

from orchestrator.core.records import DomainModel

DeadlineAction = Literal["undo", "escalate", "approve", "reject"]
DEFAULT_DECISIONS = ("approve", "reject")
MIN_WINDOW_WITH_REMINDER = 2


class DeadlineDeclaration(Protocol):
    """What a gate declares about its deadline (the fields of ``ApprovalStep``)."""

    @property
    def name(self) -> str: ...

    @property
    def timeout_seconds(self) -> int: ...

    @property
    def roles(self) -> Sequence[str]: ...

    @property
    def remind_before_seconds(self) -> int | None: ...

    @property
    def on_deadline(self) -> DeadlineAction: ...

    @property
    def escalate_to_roles(self) -> Sequence[str] | None: ...

    @property
    def escalation_timeout_seconds(self) -> int | None: ...


class GateDeadlines(DomainModel):
    """One gate's timing for one run, in seconds (part of the execution's input)."""

    window: int  # from the gate's opening to its deadline
    remind_after: int | None = None  # from the opening to the reminder
    escalation: int | None = None  # the escalation's own window, after the deadline

    @property
    def after_reminder(self) -> int | None:
        return None if self.remind_after is None else self.window - self.remind_after

    def state_input(self) -> dict[str, int]:
        """What the state machine reads (``$.gate_deadlines.<step>``): the timeouts of the gate's
        re-armed waits."""
        phases = {"remind_after": self.remind_after, "after_reminder": self.after_reminder}
        return {name: value for name, value in phases.items() if value is not None} | (
            {"escalation": self.escalation} if self.escalation is not None else {}
        )


def declaration_problems(gate: DeadlineDeclaration) -> Iterator[str]:
    """What is wrong with a gate's deadline fields, each naming the field (the template model
    raises them)."""
    reminder, timeout = gate.remind_before_seconds, gate.timeout_seconds
    if reminder is not None and reminder >= timeout:
        yield (
            f"remind_before_seconds ({reminder}) must be shorter than timeout_seconds ({timeout}): "
            "the reminder comes before the deadline"
        )
    escalation_fields = {
        "escalate_to_roles": gate.escalate_to_roles,
        "escalation_timeout_seconds": gate.escalation_timeout_seconds,
    }
    if gate.on_deadline == "escalate":
        missing = [name for name, value in escalation_fields.items() if value is None]
        if missing:
            yield f"on_deadline 'escalate' needs {' and '.join(missing)}"
        elif set(gate.escalate_to_roles or ()) == set(gate.roles):
            yield (
                f"escalate_to_roles {list(gate.escalate_to_roles or ())} are the gate's own roles: "
                "escalate to other roles, or give the gate a longer timeout_seconds"
            )
    else:
        given = [name for name, value in escalation_fields.items() if value is not None]
        if given:
            yield f"{' and '.join(given)} only apply with on_deadline 'escalate' (it is {gate.on_deadline!r})"


def longest_wait(gate: DeadlineDeclaration) -> int:
    """The longest a run can wait at the gate: its window, and the escalation's after it."""
    return gate.timeout_seconds + (gate.escalation_timeout_seconds or 0)


def deadlines_for(gate: DeadlineDeclaration, requested: int | None) -> GateDeadlines:
    """The gate's timing for a run that asked for a ``requested`` seconds window (never longer
    than the template's); the reminder and the escalation scale with the window."""
    window = gate.timeout_seconds if requested is None else min(gate.timeout_seconds, requested)
    remind_before = gate.remind_before_seconds
    if remind_before is not None:
        window = max(window, MIN_WINDOW_WITH_REMINDER)
    scale = window / gate.timeout_seconds
    remind_after = None
    if remind_before is not None:
        scaled = round((gate.timeout_seconds - remind_before) * scale)
        remind_after = min(max(scaled, 1), window - 1)
    escalation = None
    if gate.on_deadline == "escalate" and gate.escalation_timeout_seconds is not None:
        escalation = max(1, round(gate.escalation_timeout_seconds * scale))
    return GateDeadlines(window=window, remind_after=remind_after, escalation=escalation)
