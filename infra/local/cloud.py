"""LocalCloud: the same cloud assembly `cdk deploy` uses, deployed onto moto on localhost.

    with LocalCloud() as cloud:
        token = cloud.mint_token(tenant_id="acme")
        requests.post(f"{cloud.api_url}/runs", ...)

``aws_endpoint`` is the emulated AWS (``aws --endpoint-url``); ``api_url`` the HTTP API;
``console_url`` the web console (its origin is the one the API accepts cross-origin calls from).
``websocket_url`` the WebSocket API that pushes run events to subscribed clients.

A token is only good for an onboarded, active tenant: ``mint_token`` onboards a tenant it has not
seen on the cloud's default plan (``tenant_plan``/``tenant_limits``), ``onboard`` sets other
limits, ``tenant_admin()`` disables and lists tenants as ``orchestrator tenants`` does. While the
cloud is up, ``<state dir>/local-cloud.json`` tells other processes (that command) where it is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from infra.admin.tenants import LOCAL_CLOUD_FILE, DeploymentHandle, TenantAdmin
from infra.local import moto_adapters, moto_memory, moto_speedups, process_memory
from infra.local.api_server import LocalApiServer
from infra.local.assembly import REPO_ROOT, CloudAssembly, synthesize
from infra.local.console_server import LocalConsoleServer
from infra.local.deliveries import DeliveryPool
from infra.local.deployer import Deployer, Deployment
from infra.local.eventbridge_fidelity import send_whole_events_to_queues
from infra.local.in_process_queues import BackendQueueClient
from infra.local.lambda_runtime import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, LocalLambdaRuntime
from infra.local.queue_pollers import QueuePoller
from infra.local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER, LocalSigningKey
from infra.local.worker_limits import WorkerLimits
from orchestrator.core.ids import is_run_id
from orchestrator.tenancy.plans import DEFAULT_PLAN, TenantLimits

if TYPE_CHECKING:
    from infra.local.persistence import Persistence, RestoredState

log = logging.getLogger(__name__)

ACCOUNT_ID = "123456789012"  # moto's default account
DEFAULT_REGION = "us-east-1"


def ensure_port_free(port: int, option: str) -> None:
    """A clear error instead of a hang when something already listens on a chosen port.

    The probe binds as the servers do (``SO_REUSEADDR``, like ``http.server``): connections of a
    cloud that just stopped, left in TIME-WAIT for a minute, do not count as "in use"; a listener
    does."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise RuntimeError(
                f"port {port} is in use ({exc.strerror}); choose another with {option}"
            ) from exc


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalCloud:
    def __init__(
        self,
        state_dir: Path | None = None,
        *,
        api_port: int = 0,
        aws_port: int = 0,
        console_port: int = 0,
        websocket_port: int = 0,
        region: str = DEFAULT_REGION,
        context: dict[str, Any] | None = None,
        tenant_plan: str = DEFAULT_PLAN,
        tenant_limits: TenantLimits | None = None,
        persist: bool = False,
        fresh: bool = False,
        worker_limits: WorkerLimits | None = None,
        synthesizer: Callable[[Path, dict[str, Any]], None] | None = None,
    ) -> None:
        """``persist`` keeps tables, objects, queues and executions in ``<state dir>/state`` and
        restores them on the next start (``persistence``); ``fresh`` discards them first.
        ``worker_limits``: the functions' worker pool (default: the environment's, see
        ``worker_limits.py``). ``synthesizer(outdir, context)`` writes the assembly instead of a
        new ``python app.py`` process (``synthesize``'s ``run``)."""
        self.state_dir = (state_dir or REPO_ROOT / ".local-cloud").resolve()
        self.region = region
        self._api_port = api_port
        self._aws_port = aws_port or free_port()
        self._console_port = console_port
        self._console_chosen = bool(console_port)
        if not console_port:
            self._console_port = free_port()  # known before synthesis: the API's allowed origin
        self._websocket_port = websocket_port
        self._websocket: Any = None  # LocalWebSocketGateway, once deployed
        self._pollers: list[QueuePoller] = []
        self._extra_context = context or {}
        self._server: Any = None
        self._api: LocalApiServer | None = None
        self._console: LocalConsoleServer | None = None
        self._pool = DeliveryPool()
        self._idle_trimmer = process_memory.IdleTrimmer()
        self.worker_limits = worker_limits or WorkerLimits.configured()
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self.runtime: LocalLambdaRuntime | None = None
        self.assembly: CloudAssembly | None = None
        self.deployment: Deployment | None = None
        self.signing_key = LocalSigningKey.load_or_create(self.state_dir)
        self.tenant_plan = tenant_plan  # what mint_token onboards a tenant it has not seen on
        self.tenant_limits = tenant_limits
        self._onboarded: set[str] = set()
        self._persist, self._fresh = persist, fresh
        self._synthesizer = synthesizer
        self._persistence: Persistence | None = None
        self.restored: RestoredState | None = None  # what the start found saved (persist only)

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> LocalCloud:
        from infra.local.aws_server import KeepAliveMotoServer  # imports moto's server

        ensure_port_free(self._aws_port, "--aws-port")
        if self._api_port:
            ensure_port_free(self._api_port, "--api-port")
        if self._console_chosen:
            ensure_port_free(self._console_port, "--console-port")
        if self._websocket_port:
            ensure_port_free(self._websocket_port, "--websocket-port")
        try:
            return self._start(KeepAliveMotoServer)
        except BaseException:
            self.stop()  # leave no server, worker or moto patch behind
            raise

    def _start(self, server_class: Any) -> LocalCloud:
        process_memory.limit_arenas()  # before the server's threads allocate
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # the interpreter logs every Fail state (a compensated run ends in one) as an error
        logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
        self._server = server_class(ip_address="127.0.0.1", port=self._aws_port, verbose=False)
        self._server.start()
        moto_adapters.point_interpreter_at_server(self._aws_port)
        moto_adapters.enable_state_machine_execution(self.aws_endpoint)

        outdir = self.state_dir / "cdk.out"  # kept: a restart with the same sources reuses it
        self.assembly = synthesize(outdir, self.synthesis_context(), run=self._synthesizer)
        self.runtime = LocalLambdaRuntime(
            endpoint_url=self.aws_endpoint,
            region=self.region,
            account_id=ACCOUNT_ID,
            log_dir=self.state_dir / "logs",
            max_concurrency=self.worker_limits.max_workers_per_function,
            max_workers=self.worker_limits.max_workers,
            idle_seconds=self.worker_limits.idle_seconds,
            background_niceness=self.worker_limits.background_niceness,
            send_to_destination=self._send_to_queue,
        )
        self._adapt_emulation(self.runtime)
        moto_adapters.answer_vector_queries()  # before the server's first S3 Vectors request
        management_port = free_port()  # the WebSocket API's @connections endpoint (its functions' callback)
        self.deployment = Deployer(
            self.session(),
            self.aws_endpoint,
            self.region,
            ACCOUNT_ID,
            websocket_management_url=f"http://127.0.0.1:{management_port}",
        ).deploy(self.assembly)
        if self._persist:
            from infra.local.persistence import Persistence  # moto's interpreter: imported on start

            self._persistence = Persistence(self.state_dir, ACCOUNT_ID, self.region)
            if self._fresh:
                self._persistence.files.discard()
            self.restored = self._persistence.restore()
        for spec in self.deployment.functions.values():
            self.runtime.register(spec)
        self.runtime.foreground = {self._api_function_name()}  # its workers answer users first
        self._serve_websocket_api(management_port)
        for source in self.deployment.event_sources:
            sqs = lambda: BackendQueueClient(ACCOUNT_ID, self.region)  # noqa: E731
            poller = QueuePoller(self.runtime, sqs, source, self.region)
            self._pollers.append(poller)
            poller.start()
        api_function = self._api_function_name()
        self._api = LocalApiServer(self.runtime, api_function, ACCOUNT_ID, port=self._api_port)
        self._api.start()
        self._console = LocalConsoleServer(self.console_config, port=self._console_port)
        self._console.start()
        if self._persistence:  # the functions can run: executions that were running go on
            publish = lambda execution: self._put_event(moto_adapters.status_change_entry(execution))  # noqa: E731
            self._persistence.resume(self.restored, publish)
            self._persistence.start_saving()
        self._idle_trimmer.start()  # an idle cloud gives back what it freed
        self._describe_file().write_text(json.dumps(self.describe(), indent=2))
        return self

    def synthesis_context(self) -> dict[str, Any]:
        """The CDK context this cloud synthesizes the app with (into ``<state dir>/cdk.out``)."""
        return {
            "jwtJwks": json.dumps(self.signing_key.jwks()),
            "jwtIssuer": LOCAL_ISSUER,
            "jwtAudience": LOCAL_AUDIENCE,
            "retainData": "false",
            "webhookAllowLoopback": "true",  # a developer receives webhooks on this machine
            "account": ACCOUNT_ID,
            "region": self.region,
            "corsAllowedOrigins": ",".join(self.console_origins),
        } | self._extra_context

    def _adapt_emulation(self, runtime: LocalLambdaRuntime) -> None:
        """moto as the local cloud needs it (``moto_adapters``): functions run by ``runtime``."""
        moto_adapters.route_lambda_invocations(runtime)
        moto_adapters.deliver_eventbridge_targets(runtime, self._start_execution, self._pool)
        send_whole_events_to_queues()  # the audit writer reads EventBridge events from its queue
        moto_adapters.emit_execution_status_changes(self._put_event)
        moto_adapters.keep_stopped_executions_aborted()
        moto_adapters.keep_task_failure_causes()
        moto_adapters.refuse_timed_out_task_tokens()
        moto_adapters.name_sdk_integration_parameters()
        moto_adapters.keep_stop_causes()
        moto_adapters.serialize_dynamodb_requests()
        moto_adapters.note_requests()
        moto_adapters.route_requests_by_host_once()
        moto_adapters.count_queue_messages_at_one_instant()
        moto_adapters.parse_each_definition_once()
        moto_adapters.parse_each_json_path_once()
        moto_speedups.install_all()
        moto_memory.install_all()

    def _serve_websocket_api(self, management_port: int) -> None:
        from infra.local.websocket_gateway import LocalWebSocketGateway

        assert self.deployment is not None and self.runtime is not None
        if self.deployment.websocket is None:
            return
        self._websocket = LocalWebSocketGateway(
            self.runtime,
            self.deployment.websocket,
            account_id=ACCOUNT_ID,
            region=self.region,
            port=self._websocket_port,
            management_port=management_port,
        )
        self._websocket.start()

    def runs_in_progress(self) -> list[dict[str, str]]:
        """Executions still running (run id = execution name), oldest first: what a stop cuts off.
        Read from the emulation's memory (it runs in this process): instant, however busy it is."""
        if self.deployment is None or self._server is None:
            return []
        from moto.stepfunctions.responses import get_backend

        backend = get_backend(ACCOUNT_ID, self.region)
        running = []
        for name, arn in self.deployment.state_machines.items():
            try:
                executions = [  # a run's execution is named by its run id (a webhook retry's is not)
                    e
                    for e in backend.describe_state_machine(arn).executions
                    if e.status == "RUNNING" and is_run_id(e.name)
                ]
            except Exception:  # a stop must go on whatever the emulation answers
                log.debug("could not list the executions of %s", name, exc_info=True)
                continue
            running += [
                {
                    "run_id": execution.name,
                    "template": name.split("-", 1)[-1],  # machines are named <stack>-<template>
                    "started": execution.start_date.isoformat(timespec="seconds"),
                }
                for execution in executions
            ]
        return sorted(running, key=lambda run: run["started"])

    def load(self) -> dict[str, Any]:
        """What the cloud is busy with now: its worker pool (``LocalLambdaRuntime.pool_state``),
        the event deliveries not done yet, and the messages waiting in its functions' queues."""
        state: dict[str, Any] = self.runtime.pool_state() if self.runtime else {}
        return state | {"pending_deliveries": self._pool.pending, "queued_messages": self._queued_messages()}

    def _queued_messages(self) -> dict[str, int]:
        """Messages in each queue a function reads (visible and in flight), by queue name."""
        if self.deployment is None:
            return {}
        sqs, counts = self.client("sqs"), {}
        for source in self.deployment.event_sources:
            name = source.queue_arn.rsplit(":", 1)[-1]
            try:
                attributes = sqs.get_queue_attributes(
                    QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"],
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
            except Exception:  # a look at the load never fails the cloud
                log.debug("could not count the messages of %s", name, exc_info=True)
                continue
            counts[name] = sum(int(v) for v in attributes.values())
        return counts

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._describe_file().unlink(missing_ok=True)
        # requests still in flight fail as their workers stop: quietly, the cloud is going away
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        if self._api:
            self._api.stop()
        if self._console:
            self._console.stop()
        self._idle_trimmer.stop()
        if self._persistence:  # before the functions stop: what they were doing is saved undone
            self._persistence.close()
        for poller in self._pollers:
            poller.stop()
        if self._websocket:
            self._websocket.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self.runtime:
            self.runtime.shutdown()
        if self._server:
            with contextlib.suppress(OSError):
                # moto's backends live in this process: forget this cloud's resources so another
                # local cloud started later in the same process deploys into an empty account
                reset = f"{self.aws_endpoint}/moto-api/reset"  # always http://127.0.0.1:<port>
                urllib.request.urlopen(urllib.request.Request(reset, method="POST"), timeout=10).close()  # noqa: S310
            self._server.stop()
        moto_adapters.restore_all()

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: tuple[type[BaseException], BaseException, TracebackType] | None) -> None:
        self.stop()

    # --- what users of the local cloud need ---------------------------------------------------
    @property
    def aws_endpoint(self) -> str:
        return f"http://127.0.0.1:{self._aws_port}"

    @property
    def api_url(self) -> str:
        assert self._api is not None, "start the local cloud first"
        return self._api.url

    @property
    def console_url(self) -> str:
        assert self._console is not None, "start the local cloud first"
        return self._console.url

    @property
    def console_origins(self) -> list[str]:
        """Where the console is served from: the origins the API answers cross-origin calls of."""
        return [f"http://127.0.0.1:{self._console_port}", f"http://localhost:{self._console_port}"]

    def console_config(self) -> dict[str, Any]:
        """The console's ``config.json``: the API and, when this cloud has one, the push channel."""
        return {"api_url": self.api_url, "websocket_url": self.describe().get("websocket_url")}

    @property
    def websocket_url(self) -> str:
        """The WebSocket API (push to clients): connect, send ``{"action": "subscribe"}``."""
        assert self._websocket is not None, "start the local cloud first"
        return str(self._websocket.url)

    def session(self) -> boto3.session.Session:
        return boto3.session.Session(
            aws_access_key_id=LOCAL_ACCESS_KEY,
            aws_secret_access_key=LOCAL_SECRET_KEY,
            region_name=self.region,
        )

    def client(self, service: str) -> Any:
        """A client of the emulation, one per service (clients are thread-safe; making one costs
        milliseconds, and a burst's every execution end puts an event through one)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = self.session().client(
                    service, endpoint_url=self.aws_endpoint, config=Config(max_pool_connections=32)
                )
            return self._clients[service]

    def mint_token(self, *, tenant_id: str, role: str = "user", subject: str = "local-user") -> str:
        """A token for ``tenant_id``, onboarding it first (default plan) if it is not yet a tenant."""
        if tenant_id not in self._onboarded:
            self.onboard(tenant_id)
        return self.signing_key.mint(tenant_id=tenant_id, role=role, subject=subject)

    def onboard(
        self,
        tenant_id: str,
        *,
        plan: str | None = None,
        limits: TenantLimits | None = None,
    ) -> None:
        """Make ``tenant_id`` a tenant (plan and limits) unless it is one; a disabled one stays so."""
        limits = limits or self.tenant_limits
        self.tenant_admin().ensure(
            tenant_id,
            plan=plan or self.tenant_plan,
            requests_per_minute=limits.requests_per_minute if limits else None,
            max_concurrent_runs=limits.max_concurrent_runs if limits else None,
            max_queued_runs=limits.max_queued_runs if limits else None,
        )
        self._onboarded.add(tenant_id)

    def tenant_admin(self) -> TenantAdmin:
        """What ``orchestrator tenants`` does, on this cloud."""
        return DeploymentHandle.from_description(self.describe()).admin(
            mint=self.signing_key.mint, operator="local-operator"
        )

    def describe(self) -> dict[str, Any]:
        """Where this cloud's API, endpoint and tables are (``local-cloud.json``)."""
        return {
            "api_url": self.api_url,
            "console_url": self.console_url,
            "websocket_url": self.websocket_url,
            "aws_endpoint": self.aws_endpoint,
            "region": self.region,
            "access_key_id": LOCAL_ACCESS_KEY,  # the emulation accepts any credentials
            "secret_access_key": LOCAL_SECRET_KEY,
            "tenants_table": self.physical_id("TablesTenants"),
            "runs_table": self.physical_id("TablesRuns"),
            "step_results_table": self.physical_id("TablesStepResults"),
            "event_bus": self.physical_id("EventsBus"),
        }

    def _describe_file(self) -> Path:
        return self.state_dir / LOCAL_CLOUD_FILE

    def physical_id(self, logical_prefix: str) -> str:
        """Physical name (Ref) of the one resource whose logical id is ``logical_prefix`` + CDK's hash."""
        assert self.deployment is not None
        matches = [
            lid
            for lid in self.deployment.physical
            if lid.startswith(logical_prefix) and re.fullmatch(r"[0-9A-F]{8}", lid[len(logical_prefix) :])
        ]
        if len(matches) != 1:
            raise KeyError(f"{logical_prefix!r} matches {matches}")
        return self.deployment.ref(matches[0])

    def _api_function_name(self) -> str:
        assert self.deployment is not None
        for spec in self.deployment.functions.values():
            if spec.handler == "handlers.api.handler":
                return spec.name
        raise RuntimeError("the assembly has no API function")

    def _put_event(self, entry: dict[str, Any]) -> None:
        response = self.client("events").put_events(Entries=[entry])
        if response.get("FailedEntryCount"):
            log.warning("the emulation refused an event: %s", response["Entries"])

    def _send_to_queue(self, queue_arn: str, record: dict[str, Any]) -> None:
        sqs = self.client("sqs")
        url = sqs.get_queue_url(QueueName=queue_arn.split(":")[-1])["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record, default=str))

    def _start_execution(self, state_machine_arn: str, payload: str) -> None:
        self.client("stepfunctions").start_execution(stateMachineArn=state_machine_arn, input=payload)
