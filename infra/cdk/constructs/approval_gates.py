"""The states of one approval gate: a person decides, with a reminder and a deadline action.

A gate waits in turns, each a ``.waitForTaskToken`` task of the ApprovalGate function whose
``TimeoutSecondsPath`` reads the run's timing from the execution input (``$.gate_timeouts`` and
``$.gate_deadlines``, see ``orchestrator.templates.deadlines``)::

    <gate> (open; until the reminder, or the deadline)
      | States.Timeout
      v
    <gate> reminder (re-armed with a new token; APPROVAL_REMINDER; until the deadline)
      | States.Timeout: the gate's on_deadline
      +-- undo      -> <gate> timed out (ApprovalTimedOut) -> Record failure at <gate>
      +-- escalate  -> <gate> escalated (re-armed for the escalation roles; APPROVAL_ESCALATED)
      |                  | States.Timeout -> <gate> timed out after escalation -> Record failure
      +-- approve / reject -> <gate> default decision (APPROVAL_DEFAULTED; reject: ApprovalRejected)
    every decided turn -> <gate> decided -> the next step

Every turn also catches everything else (a rejection, a cancel) into compensation. A gate with
neither reminder nor deadline action is the one task it always was.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from orchestrator.core.errors import ApprovalTimedOut
from orchestrator.templates.graph import ApprovalStep

Catch = Callable[[Any, str, str | None], None]  # (state, label, failed step): Catch States.ALL
Retry = Callable[[tasks.LambdaInvoke], tasks.LambdaInvoke]


def format_safe(text: str) -> str:
    """Text for a States.Format template: quotes, braces and backslashes are its syntax."""
    return re.sub(r"[{}'\\]", "", text)


class ApprovalGateStates:
    """Builds one gate's states in ``scope``; ``chain`` is what the template's chain continues from."""

    def __init__(
        self,
        scope: Construct,
        step: ApprovalStep,
        *,
        function: lambda_.IFunction,
        reference: dict[str, Any],
        retry: Retry,
        catch: Catch,
        record_failure: Callable[[str, str | None], sfn.IChainable],
    ) -> None:
        self._scope, self._step = scope, step
        self._function, self._reference = function, reference
        self._retry, self._catch, self._record_failure = retry, catch, record_failure
        self.chain = self._build()

    def _build(self) -> sfn.IChainable:
        step = self._step
        first = f"$.gate_deadlines.{step.name}.remind_after" if step.remind_before_seconds else None
        gate = self._wait(step.name, "open", step.label, first or f"$.gate_timeouts.{step.name}")
        if not step.rearms:
            gate.add_catch(self._timed_out(escalated=False), errors=["States.Timeout"], result_path="$.error")
            self._catch(gate, step.label, step.name)
            return gate
        decided = sfn.Pass(self._scope, f"{step.name}-decided", state_name=f"{step.label} decided")
        turns: list[sfn.TaskStateBase] = [gate]
        if step.remind_before_seconds:
            turns.append(
                self._wait(
                    f"{step.name}-reminder",
                    "remind",
                    f"{step.label} reminder",
                    f"$.gate_deadlines.{step.name}.after_reminder",
                )
            )
        deadline = self._deadline()
        if deadline is not None:
            turns.append(deadline)
        else:
            turns[-1].add_catch(
                self._timed_out(escalated=False), errors=["States.Timeout"], result_path="$.error"
            )
        for turn, following in itertools.pairwise(turns):
            turn.add_catch(following, errors=["States.Timeout"], result_path=sfn.JsonPath.DISCARD)
        for turn in turns:
            self._catch(turn, step.label, step.name)
            turn.next(decided)
        return sfn.Chain.custom(gate, [decided], decided)

    def _deadline(self) -> sfn.TaskStateBase | None:
        """The turn the deadline starts (None: the run is undone)."""
        step = self._step
        if step.on_deadline == "escalate":
            escalated = self._wait(
                f"{step.name}-escalated",
                "escalate",
                f"{step.label} escalated",
                f"$.gate_deadlines.{step.name}.escalation",
            )
            escalated.add_catch(
                self._timed_out(escalated=True), errors=["States.Timeout"], result_path="$.error"
            )
            return escalated
        if step.on_deadline in ("approve", "reject"):
            return self._retry(
                tasks.LambdaInvoke(
                    self._scope,
                    f"{step.name}-default",
                    state_name=f"{step.label} default decision",
                    lambda_function=self._function,
                    payload=sfn.TaskInput.from_object(
                        self._reference | {"step": step.name, "action": "decide_by_default"}
                    ),
                    result_path=sfn.JsonPath.DISCARD,
                    retry_on_service_exceptions=False,
                )
            )
        return None

    def _wait(self, construct_id: str, action: str, state_name: str, timeout_path: str) -> tasks.LambdaInvoke:
        return self._retry(
            tasks.LambdaInvoke(
                self._scope,
                construct_id,
                state_name=state_name,
                lambda_function=self._function,
                integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
                payload=sfn.TaskInput.from_object(
                    self._reference
                    | {"step": self._step.name, "action": action, "task_token": sfn.JsonPath.task_token}
                ),
                # the template's timing, or the shorter one the run asked for (see start_run)
                task_timeout=sfn.Timeout.at(timeout_path),
                result_path=sfn.JsonPath.DISCARD,
                retry_on_service_exceptions=False,
            )
        )

    def _timed_out(self, *, escalated: bool) -> sfn.IChainable:
        step = self._step
        label = format_safe(step.label)
        window = sfn.JsonPath.string_at(f"$.gate_timeouts.{step.name}")
        if escalated:
            roles = format_safe(", ".join(step.escalate_to_roles or ()))
            cause = sfn.JsonPath.format(
                f"nobody decided at {label} within {{}} s, nor the escalation to {roles} within {{}} s",
                window,
                sfn.JsonPath.string_at(f"$.gate_deadlines.{step.name}.escalation"),
            )
        else:
            cause = sfn.JsonPath.format(f"nobody decided at {label} within {{}} s", window)
        suffix = " after escalation" if escalated else ""
        timed_out = sfn.Pass(
            self._scope,
            f"{step.name}-timed-out{'-escalated' if escalated else ''}",
            state_name=f"{step.label} timed out{suffix}",
            parameters={"Error": ApprovalTimedOut.__name__, "Cause": cause},
            result_path="$.error",
        )
        timed_out.next(self._record_failure(step.label, step.name))
        return timed_out
