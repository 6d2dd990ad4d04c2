"""Every adaptation of moto the local cloud needs, in one place (moto pinned: see pyproject).

1. ``enable_state_machine_execution``: moto's Step Functions interpreter runs the real ASL
   (public switch: ``POST /moto-api/config``).
2. ``route_lambda_invocations``: moto runs Lambda code in Docker; here ``LambdaFunction._invoke_lambda``
   hands the invocation to the local runtime (real handler, declared environment, timeout),
   and its error payload becomes the Step Functions error name.
3. ``deliver_eventbridge_targets``: moto's rules deliver to SQS, logs, archives, buses and API
   destinations but raise ``NotImplementedError`` for Lambda and Step Functions targets;
   ``Rule.send_to_targets`` delivers those here, asynchronously as EventBridge does (Lambda
   targets with Lambda's async retries and on-failure destination, see ``invoke_async``).
4. ``point_interpreter_at_server``: the interpreter's own boto3 clients (Lambda tasks) find
   the server through ``MOTO_PORT``.
5. ``emit_execution_status_changes``: Step Functions puts an "Execution Status Change" event on
   the default bus when an execution ends; moto does not, so ``BaseExecutionWorkerCommunication.terminated``
   (called when the interpreter finishes) publishes it here.
6. ``keep_stopped_executions_aborted``: on AWS a stopped execution is ABORTED whatever its
   running task does next; moto lets a task error that arrives after the stop overwrite it
   (FAILED), so ``Environment.set_error`` leaves a stopped program stopped.
7. ``keep_task_failure_causes``: moto's ``SendTaskFailure`` drops the ``cause`` (a rejected
   approval gate would end with the message "None"); ``StepFunctionResponse.send_task_failure``
   passes it on to the interpreter here, as Step Functions does.
8. ``answer_vector_queries``: moto's S3 Vectors stores vectors but has no ``QueryVectors``;
   ``S3VectorsResponse.query_vectors`` (routed through ``moto.s3vectors.urls.url_paths``) answers
   it here as the service does: exact nearest neighbours by the index's distance metric
   (cosine: 1 - cosine similarity; euclidean: the Euclidean distance), ascending, at most
   ``topK``, after the metadata ``filter``; a bad ``topK``, vector or filter is a
   ``ValidationException``, a missing index a ``NotFoundException``. The server builds a
   service's routes on its first request: install this before the first S3 Vectors request.

``tests/integration/test_moto_adapters.py`` covers 1-6 and 8, ``test_moto_step_functions_features.py``
covers 7 (with the Step Functions features the generated state machines use),
``test_moto_vector_queries.py`` the query semantics of 8; if moto changes underneath, those
tests fail first.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from array import array
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from infra.local.lambda_runtime import LocalLambdaRuntime

log = logging.getLogger(__name__)

_patch_lock = threading.Lock()
_originals: dict[str, tuple[Any, Any]] = {}  # "Owner.name" -> (owner class or module, original)
_ABSENT = object()  # the "original" of an attribute moto does not have (``_add``)


def enable_state_machine_execution(endpoint_url: str) -> None:
    response = requests.post(
        f"{endpoint_url}/moto-api/config",
        json={"stepfunctions": {"execute_state_machine": True}},
        timeout=10,
    )
    response.raise_for_status()
    from moto.core.config import default_user_config  # the server runs in this process

    if not default_user_config.get("stepfunctions", {}).get("execute_state_machine"):
        raise RuntimeError("moto did not accept execute_state_machine: the pinned moto version changed")


def point_interpreter_at_server(port: int) -> None:
    os.environ["MOTO_PORT"] = str(port)


def route_lambda_invocations(runtime: LocalLambdaRuntime) -> None:
    from moto.awslambda.models import LambdaFunction

    def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
        invocation = runtime.invoke(self.function_name, event if event is not None else {})
        try:
            self.save_logs(invocation.logs or f"(no output) duration {invocation.duration_ms} ms")
        except Exception:  # logs are a convenience; never fail the invocation for them
            log.debug("could not store logs for %s", self.function_name, exc_info=True)
        return json.dumps(invocation.payload), invocation.errored, invocation.logs

    _patch(LambdaFunction, "_invoke_lambda", _invoke_lambda)


def deliver_eventbridge_targets(
    runtime: LocalLambdaRuntime, start_execution: Callable[[str, str], None], pool: ThreadPoolExecutor
) -> None:
    from moto.events.models import Rule

    original = _original(Rule, "send_to_targets")

    def send_to_targets(self: Any, original_event: dict[str, Any], transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        ours = [t for t in self.targets if _service(t["Arn"]) in ("lambda", "states")]
        rest = [t for t in self.targets if t not in ours]
        for target in ours:
            payload = _target_input(target, original_event)
            if _service(target["Arn"]) == "lambda":  # EventBridge invokes functions asynchronously
                pool.submit(_log_failures, runtime.invoke_async, target["Arn"], payload)
            else:
                pool.submit(start_execution, target["Arn"], json.dumps(payload))
        if rest:
            with _patch_lock:
                saved, self.targets = self.targets, rest
                try:
                    original(self, original_event, transform_input)
                finally:
                    self.targets = saved

    _patch(Rule, "send_to_targets", send_to_targets)


def _log_failures(invoke_async: Callable[[str, Any], Any], arn: str, payload: Any) -> None:
    try:
        invocation = invoke_async(arn, payload)
    except Exception:  # a background delivery must never die silently
        log.exception("event delivery to %s failed", arn)
        return
    if invocation.errored:
        log.warning("event delivery to %s failed after retries: %s", arn, invocation.payload)


def _target_input(target: dict[str, Any], event: dict[str, Any]) -> Any:
    if "Input" in target:
        return json.loads(target["Input"])
    if "InputPath" in target:
        value: Any = event
        for part in target["InputPath"].lstrip("$.").split("."):
            value = value.get(part) if part and isinstance(value, dict) else value
        return value
    return event


def _service(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else ""


def emit_execution_status_changes(put_event: Callable[[dict[str, Any]], None]) -> None:
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    original = _original(BaseExecutionWorkerCommunication, "terminated")

    def terminated(self: Any) -> None:
        original(self)
        try:
            put_event(_status_change_entry(self.execution))
        except Exception:  # the execution itself has ended either way
            log.exception("could not publish the status change of %s", self.execution.exec_arn)

    _patch(BaseExecutionWorkerCommunication, "terminated", terminated)


def keep_stopped_executions_aborted() -> None:
    from moto.stepfunctions.parser.asl.eval import environment

    stopped = environment.ProgramStopped
    original = _original(environment.Environment, "set_error")

    def set_error(self: Any, error: Any) -> None:
        if isinstance(self._program_state, stopped):
            return
        original(self, error)

    _patch(environment.Environment, "set_error", set_error)


def keep_task_failure_causes() -> None:
    from moto.core.responses import EmptyResult
    from moto.stepfunctions.responses import StepFunctionResponse

    def send_task_failure(self: Any) -> Any:
        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
        )
        return EmptyResult()

    _patch(StepFunctionResponse, "send_task_failure", send_task_failure)


# --- S3 Vectors: QueryVectors -------------------------------------------------------------
QUERY_VECTORS_ROUTE = "{0}/QueryVectors$"
MAX_TOP_K = 100  # the service's limit of results per query
FILTER_COMPARISONS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists")
FILTER_LOGICAL = ("$and", "$or")
Metadata = dict[str, Any]


def answer_vector_queries() -> None:
    from moto.core.responses import ActionResult
    from moto.s3vectors import urls
    from moto.s3vectors.exceptions import ValidationError
    from moto.s3vectors.models import S3VectorsBackend
    from moto.s3vectors.responses import S3VectorsResponse

    paths = _original(urls, "url_paths")
    if paths.get("{0}/PutVectors$") != S3VectorsResponse.dispatch:
        raise RuntimeError("moto routes S3 Vectors differently: the local cloud's adaptation needs updating")
    get_index = _original(S3VectorsBackend, "get_index")
    validate_index_params = _original(S3VectorsResponse, "_validate_index_params")

    def query_vectors(self: Any) -> Any:
        bucket_name = self._get_param("vectorBucketName")
        index_name = self._get_param("indexName")
        index_arn = self._get_param("indexArn")
        validate_index_params(self, index_arn, index_name, bucket_name)
        try:
            query = _query_vector(self._get_param("queryVector"), self._get_param("queryTexts"))
            top_k = _top_k(self._get_param("topK"))
            matches = metadata_filter(self._get_param("filter"))
            if self._get_param("nextToken"):
                raise InvalidVectorQuery("The pagination token is invalid or has expired")
        except InvalidVectorQuery as exc:
            raise ValidationError(str(exc)) from exc
        index = get_index(self.s3vectors_backend, bucket_name, index_name, index_arn)
        if len(query) != index.dimension:
            raise ValidationError(
                f"Invalid query vector: vector must have length {index.dimension}, "
                f"but has length {len(query)}"
            )
        if index.distance_metric == "cosine" and not any(query):
            raise ValidationError("Invalid query vector: a zero vector has no cosine distance")
        return ActionResult(
            {
                "vectors": _nearest(
                    index,
                    query,
                    top_k,
                    matches,
                    return_metadata=self._get_bool_param("returnMetadata", False),
                    return_distance=self._get_bool_param("returnDistance", False),
                ),
                "distanceMetric": index.distance_metric,
            }
        )

    if QUERY_VECTORS_ROUTE in paths:
        raise RuntimeError("moto now routes QueryVectors itself: the local cloud's adaptation needs removing")
    _add(S3VectorsResponse, "query_vectors", query_vectors)
    _patch(urls, "url_paths", {**paths, QUERY_VECTORS_ROUTE: S3VectorsResponse.dispatch})


class InvalidVectorQuery(ValueError):
    """A query S3 Vectors refuses (a ValidationException)."""


def _query_vector(value: Any, query_texts: Any) -> list[float]:
    if query_texts:
        raise InvalidVectorQuery("queryTexts needs a vector index in ENHANCED mode")
    data = value.get("float32") if isinstance(value, dict) else None
    if not isinstance(data, list) or not data:
        raise InvalidVectorQuery("queryVector must hold float32 data")
    if not all(_is_number(x) for x in data):
        raise InvalidVectorQuery("queryVector must hold numbers only")
    vector = list(array("f", data))  # the service computes in float32
    if not all(math.isfinite(x) for x in vector):
        raise InvalidVectorQuery("Invalid query vector: values must be finite float32 numbers")
    return vector


def _top_k(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_TOP_K:
        raise InvalidVectorQuery(
            f"1 validation error detected. Value at '/topK' failed to satisfy constraint: "
            f"Member must be between 1 and {MAX_TOP_K}, inclusive"
        )
    return value


def _nearest(
    index: Any,
    query: list[float],
    top_k: int,
    matches: Callable[[Metadata], bool],
    *,
    return_metadata: bool,
    return_distance: bool,
) -> list[dict[str, Any]]:
    scored = []
    for vector in list(index.vectors.values()):
        metadata = vector.metadata if isinstance(vector.metadata, dict) else {}
        if matches(metadata):
            stored = list(array("f", vector.data[index.data_type]))
            scored.append((vector_distance(index.distance_metric, query, stored), vector.key, metadata))
    scored.sort(key=lambda item: item[0])
    found = []
    for value, key, metadata in scored[:top_k]:
        match: dict[str, Any] = {"key": key}
        if return_distance:
            match["distance"] = value
        if return_metadata:
            match["metadata"] = metadata
        found.append(match)
    return found


def vector_distance(metric: str, a: list[float], b: list[float]) -> float:
    """The distance S3 Vectors reports, as a float32 value (also used by the tests' in-memory store)."""
    distance = _cosine_distance(a, b) if metric == "cosine" else _euclidean_distance(a, b)
    return array("f", [distance])[0]


def _cosine_distance(a: list[float], b: list[float]) -> float:
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    if norms == 0:
        return 1.0  # a stored zero vector is similar to nothing
    return max(0.0, 1.0 - sum(x * y for x, y in zip(a, b, strict=True)) / norms)


def _euclidean_distance(a: list[float], b: list[float]) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))


def metadata_filter(node: Any) -> Callable[[Metadata], bool]:
    """The metadata filter as a predicate; an invalid filter raises ``InvalidVectorQuery``
    (also used by the tests' in-memory store, so both read a filter the same way).

    ``{"key": value}`` is ``$eq``; several keys or operators in one object must all hold;
    ``$and``/``$or`` take a non-empty list of filters. Against a list value, a comparison holds
    when it holds for one element; ``$ne`` and ``$nin`` also hold when the key is absent.
    """
    if node is None:
        return lambda metadata: True
    if not isinstance(node, dict) or not node:
        raise InvalidVectorQuery("Invalid query filter: a filter must be a non-empty object")
    tests: list[Callable[[Metadata], bool]] = []
    for key, value in node.items():
        if key in FILTER_LOGICAL:
            if not isinstance(value, list) or not value:
                raise InvalidVectorQuery(f"Invalid query filter: {key} takes a non-empty array of filters")
            tests.append(_logical(key, [metadata_filter(part) for part in value]))
        elif key.startswith("$"):
            raise InvalidVectorQuery(f"Invalid query filter: unsupported operator {key}")
        else:
            tests.append(_field_test(key, value))
    return lambda metadata: all(test(metadata) for test in tests)


def _logical(operator: str, parts: list[Callable[[Metadata], bool]]) -> Callable[[Metadata], bool]:
    if operator == "$and":
        return lambda metadata: all(part(metadata) for part in parts)
    return lambda metadata: any(part(metadata) for part in parts)


def _field_test(key: str, condition: Any) -> Callable[[Metadata], bool]:
    if _is_primitive(condition):
        condition = {"$eq": condition}
    if not isinstance(condition, dict) or not condition:
        raise InvalidVectorQuery(f"Invalid query filter for {key!r}: expected a value or an operator object")
    checks: list[Callable[[bool, list[Any]], bool]] = []
    for operator, argument in condition.items():
        if operator not in FILTER_COMPARISONS:
            raise InvalidVectorQuery(f"Invalid query filter for {key!r}: unsupported operator {operator}")
        checks.append(_comparison(key, operator, argument))

    def test(metadata: Metadata) -> bool:
        present = key in metadata
        value = metadata.get(key)
        values = value if isinstance(value, list) else [value]
        return all(check(present, values) for check in checks)

    return test


def _comparison(key: str, operator: str, argument: Any) -> Callable[[bool, list[Any]], bool]:
    def refuse(expected: str) -> InvalidVectorQuery:
        return InvalidVectorQuery(f"Invalid query filter for {key!r}: {operator} takes {expected}")

    if operator in ("$eq", "$ne"):
        if not _is_primitive(argument):
            raise refuse("a string, number or boolean")
        if operator == "$eq":
            return lambda present, values: present and any(_same(v, argument) for v in values)
        return lambda present, values: not present or not any(_same(v, argument) for v in values)
    if operator in ("$gt", "$gte", "$lt", "$lte"):
        if not _is_number(argument):
            raise refuse("a number")
        holds: Callable[[float], bool] = {
            "$gt": lambda v: v > argument,
            "$gte": lambda v: v >= argument,
            "$lt": lambda v: v < argument,
            "$lte": lambda v: v <= argument,
        }[operator]
        return lambda present, values: present and any(_is_number(v) and holds(v) for v in values)
    if operator in ("$in", "$nin"):
        if not isinstance(argument, list) or not argument or not all(_is_primitive(a) for a in argument):
            raise refuse("a non-empty array of strings, numbers or booleans")

        def listed(values: list[Any]) -> bool:
            return any(_same(v, a) for v in values for a in argument)

        if operator == "$in":
            return lambda present, values: present and listed(values)
        return lambda present, values: not present or not listed(values)
    if not isinstance(argument, bool):  # $exists
        raise refuse("a boolean")
    return lambda present, values: present is argument


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_primitive(value: Any) -> bool:
    return isinstance(value, str | bool) or _is_number(value)


def _same(value: Any, argument: Any) -> bool:
    if isinstance(value, bool) or isinstance(argument, bool):
        return isinstance(value, bool) and isinstance(argument, bool) and value is argument
    if _is_number(value) and _is_number(argument):
        return bool(value == argument)
    return isinstance(value, str) and value == argument


def _status_change_entry(execution: Any) -> dict[str, Any]:
    """A PutEvents entry shaped like Step Functions' own "Execution Status Change" event."""

    def millis(value: Any) -> int | None:
        return int(value.timestamp() * 1000) if value is not None else None

    detail = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "status": str(getattr(execution.exec_status, "value", execution.exec_status)),
        "startDate": millis(execution.start_date),
        "stopDate": millis(execution.stop_date),
        "input": execution.execution_input,
        "output": json.dumps(execution.output) if execution.output is not None else None,
        "error": execution.error,
        "cause": execution.cause,
    }
    return {
        "Source": "aws.states",
        "DetailType": "Step Functions Execution Status Change",
        "Detail": json.dumps(detail, default=str),
        "Resources": [execution.exec_arn],
    }


def _original(owner: Any, name: str) -> Any:
    """The attribute as moto defines it, even when an earlier start already patched it."""
    key = f"{owner.__name__}.{name}"
    return _originals[key][1] if key in _originals else getattr(owner, name)


def _patch(owner: Any, name: str, replacement: Any) -> None:
    key = f"{owner.__name__}.{name}"
    if not hasattr(owner, name):
        raise RuntimeError(f"moto no longer has {key}: the local cloud's adaptation needs updating")
    _originals.setdefault(key, (owner, getattr(owner, name)))
    setattr(owner, name, replacement)


def _add(owner: Any, name: str, addition: Any) -> None:
    """Give moto an attribute it lacks; once moto defines it itself, the adaptation must go."""
    key = f"{owner.__name__}.{name}"
    if key not in _originals and hasattr(owner, name):
        raise RuntimeError(f"moto now has {key} itself: the local cloud's adaptation needs removing")
    _originals.setdefault(key, (owner, _ABSENT))
    setattr(owner, name, addition)


def restore_all() -> None:
    """Undo every patch (tests and ``LocalCloud.stop``)."""
    for key, (owner, original) in list(_originals.items()):
        name = key.rsplit(".", 1)[1]
        if original is _ABSENT:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
        del _originals[key]
