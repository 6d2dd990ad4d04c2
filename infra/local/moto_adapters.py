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
   it here as the service does, with the query engine of ``vector_queries.py`` (exact nearest
   neighbours after the metadata filter); a bad ``topK``, vector or filter is a
   ``ValidationException``, a missing index a ``NotFoundException``. The server builds a
   service's routes on its first request: install this before the first S3 Vectors request.
9. ``serialize_dynamodb_requests``: moto's DynamoDB backend is not thread-safe: a
   ``TransactWriteItems`` deep-copies the tables while another request writes them ("dictionary
   changed size during iteration", a 500 to a burst of run starts). DynamoDB makes each request
   atomic; here ``DynamoHandler.call_action`` takes one lock, so requests apply one at a time.
10. ``refuse_timed_out_task_tokens``: on AWS a task token whose ``.waitForTaskToken`` task timed
   out is refused (``TaskTimedOut``) while the execution goes on; moto keeps accepting it, silently
   and to no effect (an approval decision sent to a gate's expired turn would be "accepted" and
   lost). ``ExecutionState._evaluate_with_timeout`` marks the timed-out task's token here, so
   ``SendTaskSuccess``/``SendTaskFailure`` answer ``TaskTimedOut`` as Step Functions does (moto's
   ``TaskTimedOut`` error lacks its message, a ``TypeError``: it gets one here).
11. ``note_requests``: when the server last answered a request (``DomainDispatcherApplication``
   serves them all), and when it last answered one that may have changed what it holds (anything
   but a read, ``is_write``), so that the saved state is not read again while nothing writes
   (``persistence``: queue pollers' long polls go on all the time) and an idle cloud gives memory
   back (``process_memory``). ``execution_state`` adapts the interpreter to go on after a restart.
12. ``name_sdk_integration_parameters``: an ``arn:aws:states:::aws-sdk:<service>:<action>`` task
   names its parameters in PascalCase (``ExecutionArn``) whatever the API's own casing; moto hands
   them to botocore as written, which fails for camelCase APIs such as Step Functions' own.
   ``StateTaskServiceAwsSdk._normalise_parameters`` maps them onto the operation's members here,
   with moto's own request normaliser, as Step Functions does.
13. ``keep_stop_causes``: moto's ``StopExecution`` drops the ``error`` and ``cause`` (the
   ``ExecutionAborted`` event then says nothing); ``StepFunctionResponse.stop_execution`` passes
   them on here, as Step Functions does (a cancelled run's execution stops itself with them).

``tests/local_cloud/test_moto_adapters.py`` covers 1-6, 8, 9, 12 and 13,
``test_moto_step_functions_features.py`` covers 7 and 10 (with the Step Functions features the
generated state machines use),
``test_moto_vector_queries.py`` the query semantics of 8; if moto changes underneath, those
tests fail first.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

import requests

from infra.local.vector_queries import (
    InvalidVectorQuery,
    metadata_filter,
    nearest,
    parse_query_vector,
    parse_top_k,
)

if TYPE_CHECKING:
    from infra.local.lambda_runtime import LocalLambdaRuntime

log = logging.getLogger(__name__)

_patch_lock = threading.Lock()
_originals: dict[str, tuple[Any, Any]] = {}  # "Owner.name" -> (owner class or module, original)
_ABSENT = object()  # the "original" of an attribute moto does not have (``_add``)
_attribute_changes = [0]  # attributes added (``_add``) and removed (``restore_all``) so far


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
    runtime: LocalLambdaRuntime, start_execution: Callable[[str, str], None], pool: Executor
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
            try:
                if _service(target["Arn"]) == "lambda":  # EventBridge invokes functions asynchronously
                    pool.submit(_log_failures, runtime, target["Arn"], payload)
                else:
                    pool.submit(start_execution, target["Arn"], json.dumps(payload))
            except RuntimeError:  # the pool is shut down: the local cloud is stopping
                log.debug("not delivered to %s: the local cloud is stopping", target["Arn"])
        if rest:
            with _patch_lock:
                saved, self.targets = self.targets, rest
                try:
                    original(self, original_event, transform_input)
                finally:
                    self.targets = saved

    _patch(Rule, "send_to_targets", send_to_targets)


def _log_failures(runtime: LocalLambdaRuntime, arn: str, payload: Any) -> None:
    try:
        invocation = runtime.invoke_async(arn, payload)
    except Exception:  # a background delivery must never die silently
        log.exception("event delivery to %s failed", arn)
        return
    if invocation.errored and not runtime.stopping:  # a stop cuts deliveries off: no news
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
            put_event(status_change_entry(self.execution))
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


def refuse_timed_out_task_tokens() -> None:
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import EvalTimeoutError
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackConsumerTimeout

    original = _original(ExecutionState, "_evaluate_with_timeout")

    def _evaluate_with_timeout(self: Any, env: Any) -> None:
        try:
            original(self, env)
        except EvalTimeoutError:
            token = (env.states.context_object.context_object_data.get("Task") or {}).get("Token")
            endpoint = env.callback_pool_manager.get(token) if token else None
            if endpoint is not None:  # a .waitForTaskToken task: its token answers TaskTimedOut now
                endpoint.report(CallbackConsumerTimeout())
            raise

    _patch(ExecutionState, "_evaluate_with_timeout", _evaluate_with_timeout)
    _name_task_answer_errors()


def _name_task_answer_errors() -> None:
    """moto raises ``TaskTimedOut()`` and ``TaskDoesNotExist()`` without the message its error
    class requires (a ``TypeError``, a 500); here they carry one, and their error code."""
    from moto.core.exceptions import AWSError
    from moto.stepfunctions.parser import api

    for error, message in (
        (api.TaskTimedOut, "Task Timed Out: the task's timeout passed"),
        (api.TaskDoesNotExist, "Task Does Not Exist: the task is not waiting"),
    ):

        def __init__(self: Any, message: str = message, code: str = error.__name__) -> None:
            AWSError.__init__(self, message, code, 400)

        _patch(error, "__init__", __init__)


def name_sdk_integration_parameters() -> None:
    from botocore.session import get_session
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )

    def _normalise_parameters(self: Any, parameters: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        action = self.resource.api_action
        model = get_session().get_service_model(self._get_boto_service_name())
        operation = model.operation_model(action[:1].upper() + action[1:])
        if operation.input_shape is not None:
            self._to_boto_request(parameters, operation.input_shape)

    _patch(aws_sdk.StateTaskServiceAwsSdk, "_normalise_parameters", _normalise_parameters)


def keep_stop_causes() -> None:
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.stepfunctions.exceptions import ExecutionDoesNotExist
    from moto.stepfunctions.responses import StepFunctionResponse

    def stop_execution(self: Any) -> Any:
        arn = self._get_param("executionArn")
        backend = self.stepfunction_backend
        backend._validate_execution_arn(arn)
        machine = backend._get_state_machine_for_execution(arn)
        execution = next((x for x in machine.executions if x.execution_arn == arn), None)
        if execution is None:
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
        execution.stop(stop_date=utcnow(), error=self._get_param("error"), cause=self._get_param("cause"))
        return ActionResult({"stopDate": execution.stop_date})

    _patch(StepFunctionResponse, "stop_execution", stop_execution)


# --- S3 Vectors: QueryVectors -------------------------------------------------------------
QUERY_VECTORS_ROUTE = "{0}/QueryVectors$"


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
            query = parse_query_vector(self._get_param("queryVector"), self._get_param("queryTexts"))
            top_k = parse_top_k(self._get_param("topK"))
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
                "vectors": nearest(
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


def status_change_entry(execution: Any) -> dict[str, Any]:
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
    own = vars(owner).get(name) if isinstance(owner, type) else None  # a staticmethod as it is
    _originals.setdefault(key, (owner, own if isinstance(own, staticmethod) else getattr(owner, name)))
    setattr(owner, name, replacement)


def _add(owner: Any, name: str, addition: Any) -> None:
    """Give moto an attribute it lacks; once moto defines it itself, the adaptation must go."""
    key = f"{owner.__name__}.{name}"
    if key not in _originals and hasattr(owner, name):
        raise RuntimeError(f"moto now has {key} itself: the local cloud's adaptation needs removing")
    _originals.setdefault(key, (owner, _ABSENT))
    setattr(owner, name, addition)
    _attribute_changes[0] += 1


def attribute_changes() -> int:
    """How many attributes ``_add`` gave moto or ``restore_all`` took back so far (what lists of a
    class's methods depend on)."""
    return _attribute_changes[0]


def restore_all() -> None:
    """Undo every patch (tests and ``LocalCloud.stop``)."""
    for key, (owner, original) in list(_originals.items()):
        name = key.rsplit(".", 1)[1]
        if original is _ABSENT:
            delattr(owner, name)
            _attribute_changes[0] += 1
        else:
            setattr(owner, name, original)
        del _originals[key]


_dynamodb_lock = threading.RLock()


def serialize_dynamodb_requests() -> None:
    from moto.dynamodb.responses import DynamoHandler

    original = _original(DynamoHandler, "call_action")

    def call_action(self: Any) -> Any:
        with _dynamodb_lock:
            return original(self)

    _patch(DynamoHandler, "call_action", call_action)


@contextlib.contextmanager
def dynamodb_requests_held() -> Iterator[None]:
    """No DynamoDB request applies while this is held (the snapshot reads the tables between two)."""
    with _dynamodb_lock:
        yield


_last_request = [0.0]  # time.monotonic() when the server last finished a request
_last_write = [0.0]  # ... and last finished one that may have changed what it holds
_READS = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "TransactGet", "ReceiveMessage", "Search")
"""Operations (named by their ``X-Amz-Target`` header or by their path's last segment, as S3 Vectors
and CloudWatch name them) that change nothing the local cloud saves. ``ReceiveMessage`` changes a
message's visibility and receive count, which are not saved (a message comes back visible)."""


def is_write(environ: dict[str, Any]) -> bool:
    """Whether a request may change what the emulation holds: anything but a ``GET``, a ``HEAD`` or
    an operation of ``_READS``. A request that names its operation in its body only (the query
    protocol: STS, IAM) is taken as a write."""
    if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD", "OPTIONS"):
        return False
    target = environ.get("HTTP_X_AMZ_TARGET") or str(environ.get("PATH_INFO", "")).rstrip("/")
    operation = target.rpartition("/")[2].rpartition(".")[2]
    return not operation.startswith(_READS)


def note_requests() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = _original(DomainDispatcherApplication, "__call__")

    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        try:
            return original(self, environ, start_response)
        finally:
            _last_request[0] = now = time.monotonic()
            if is_write(environ):
                _last_write[0] = now

    _patch(DomainDispatcherApplication, "__call__", __call__)


def route_requests_by_host_once() -> None:
    """The backend of each host, found once: moto's server finds it for every request under one
    lock, listing its package directory (a ``stat`` of every service's folder) and matching the
    host against every service's URL patterns; what it finds for a host never changes."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = _original(DomainDispatcherApplication, "get_backend_for_host")
    found: dict[str | None, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host in found:
            return found[host]
        backend = original(self, host)
        if len(found) < 1024:  # hosts are "<service>.<region>.amazonaws.com": a handful
            found[host] = backend
        return backend

    _patch(DomainDispatcherApplication, "get_backend_for_host", get_backend_for_host)


def count_queue_messages_at_one_instant() -> None:
    """moto counts a queue's messages (``ApproximateNumberOf*``, which every ``attributes`` lookup
    computes, four times per message sent to a FIFO queue) reading the clock twice per message:
    a burst that fills the push queue made every send cost milliseconds per message waiting. The
    same counts here, with one clock read per count."""
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import Queue

    def messages(self: Any) -> list[Any]:
        now = unix_time_millis()
        return [m for m in self._messages if now > m.visible_at and now >= m.delayed_until]

    def delayed(self: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in self._messages if now < m.delayed_until)

    def not_visible(self: Any) -> int:
        now = unix_time_millis()
        return sum(1 for m in self._messages if now <= m.visible_at)

    _patch(Queue, "messages", property(messages))
    _patch(Queue, "approximate_number_of_messages_delayed", property(delayed))
    _patch(Queue, "approximate_number_of_messages_not_visible", property(not_visible))


def parse_each_definition_once() -> None:
    """The parse tree of each state machine definition, kept: moto's interpreter parses the
    definition again (ANTLR, tens of milliseconds) for every execution it starts. Each execution
    still gets its own program, built from the kept tree (which nothing changes)."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    original = _original(AmazonStateLanguageParser, "parse")
    trees: dict[str, Any] = {}

    def parse(definition: str) -> tuple[Any, Any]:
        tree = trees.get(definition)
        if tree is not None:
            return Preprocessor().visit(tree), tree
        program, tree = original(definition)  # a definition that does not parse raises here
        if len(trees) < 256:
            trees[definition] = tree
        return program, tree

    _patch(AmazonStateLanguageParser, "parse", staticmethod(parse))


def parse_each_json_path_once() -> None:
    """Each JSONPath parsed once: ``jsonpath_ng.ext.parse`` builds a new parser (its grammar's
    tables) for every expression, and moto's rules (input transformers) and interpreter (paths
    of every state) call it for every event and step. A parsed expression is only read."""
    import jsonpath_ng.ext
    from moto.stepfunctions.parser.asl.utils import json_path

    original = _original(jsonpath_ng.ext, "parse")
    cached = functools.lru_cache(maxsize=4096)(lambda path: original(path))

    def parse(path: str, debug: bool | None = None) -> Any:
        return original(path, debug) if debug else cached(path)

    _patch(jsonpath_ng.ext, "parse", parse)
    _patch(json_path, "parse", parse)


def note_write() -> None:
    """A write made in this process without the server (``in_process_queues``): counted as the
    server counts its writes."""
    _last_request[0] = _last_write[0] = time.monotonic()


def last_request_at() -> float:
    """``time.monotonic()`` when the server last finished a request (0 before the first)."""
    return _last_request[0]


def last_write_at() -> float:
    """``time.monotonic()`` when the server last finished a request that may have changed what it
    holds (``is_write``; 0 before the first)."""
    return _last_write[0]
