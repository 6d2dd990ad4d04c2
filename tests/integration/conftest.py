"""Real handlers and repositories in-process against moto; tables as the stack declares them."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from infra.local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER, LocalSigningKey
from orchestrator.container import Container
from orchestrator.core import constants
from orchestrator.core.errors import ConflictError
from orchestrator.core.records import TENANT_ID_PATTERN
from orchestrator.core.settings import Settings
from orchestrator.templates.graph import TEMPLATES
from tests.fakes.lambda_context import FakeLambdaContext
from tests.synthesized import resources_of_type, synthesized_template, workspace_bucket_id

if TYPE_CHECKING:
    from tests.integration.api_calls import ApiClient

TABLE_SETTINGS = {
    "Runs": "runs_table",
    "StepResults": "step_results_table",
    "Commands": "commands_table",
    "Events": "events_table",
    "Idempotency": "idempotency_table",
    "TenantSettings": "tenant_settings_table",
    "Prompts": "prompts_table",
    "ModelCache": "model_cache_table",
    "Usage": "usage_table",
    "Circuits": "circuit_table",
    "Tenants": "tenants_table",
    "Connections": "connections_table",
    "Webhooks": "webhooks_table",
}
"""Each table of the stack (by the start of its logical id) and the setting that names it."""


@cache
def _client(service: str) -> Any:
    """One client per service for the test process's fixtures. moto intercepts every client's
    requests (its hook is in every botocore session made once moto is imported) and answers from the
    running test's ``mock_aws``, so a client outlives the test it was made in and sees only the next
    test's resources: made once instead of in every test's setup (~30 ms each)."""
    return boto3.client(service)


@dataclass
class MotoAws:
    tables: dict[str, str]  # Runs / StepResults / Commands / Events / Idempotency -> table name
    bus_name: str
    queue_url: str  # receives every event on the bus (to assert what was published)
    bucket: str  # the tenants' workspace, versioned as the stack declares it
    container: Container  # what the functions under test are given: settings naming these resources

    @property
    def settings(self) -> Settings:
        return self.container.settings

    def configure(self, **fields: Any) -> Container:
        """The functions' settings with ``fields`` changed: a new container, as a redeployed
        function would build (nothing of the old one is reused)."""
        self.container = Container(Settings.of(**(self.settings.model_dump() | fields)))
        return self.container

    def published(self) -> list[dict[str, Any]]:
        sqs = _client("sqs")
        messages: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return messages
            messages.extend(json.loads(m["Body"]) for m in batch)


def _table_declarations() -> dict[str, dict[str, Any]]:
    """Key schema of each table exactly as the CDK stack declares it."""
    declared = {}
    for logical_id, table in resources_of_type(synthesized_template(), "AWS::DynamoDB::Table").items():
        short = next(name for name in TABLE_SETTINGS if logical_id.startswith(f"Tables{name}"))
        declared[short] = table["Properties"]
    return declared


@pytest.fixture(scope="session")
def table_declarations() -> dict[str, dict[str, Any]]:
    return _table_declarations()


@pytest.fixture(scope="session")
def workspace_versioning() -> dict[str, str]:
    """The workspace bucket's versioning exactly as the CDK stack declares it."""
    template = synthesized_template()
    return dict(template["Resources"][workspace_bucket_id(template)]["Properties"]["VersioningConfiguration"])


@pytest.fixture
def aws(
    table_declarations: dict[str, dict[str, Any]],
    workspace_versioning: dict[str, str],
) -> Iterator[MotoAws]:
    with mock_aws(), the_local_clouds_moto():
        dynamodb = _client("dynamodb")
        names = {}
        for short, props in table_declarations.items():
            name = f"test-{short}"
            dynamodb.create_table(
                TableName=name,
                KeySchema=props["KeySchema"],
                AttributeDefinitions=props["AttributeDefinitions"],
                BillingMode=props["BillingMode"],
            )
            names[short] = name
        events = _client("events")
        events.create_event_bus(Name="test-bus")
        sqs = _client("sqs")
        queue_url = sqs.create_queue(QueueName="bus-tap")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(
            Name="tap", EventBusName="test-bus", EventPattern=json.dumps({"source": [constants.EVENT_SOURCE]})
        )
        events.put_targets(Rule="tap", EventBusName="test-bus", Targets=[{"Id": "tap", "Arn": queue_arn}])
        s3 = _client("s3")
        s3.create_bucket(Bucket="test-workspace")
        s3.put_bucket_versioning(Bucket="test-workspace", VersioningConfiguration=workspace_versioning)
        settings = Settings.of(
            **{TABLE_SETTINGS[short]: name for short, name in names.items()},
            event_bus="test-bus",
            workspace_bucket="test-workspace",
        )
        created = MotoAws(
            tables=names,
            bus_name="test-bus",
            queue_url=queue_url,
            bucket="test-workspace",
            container=Container(settings),
        )
        ACTIVE.append(created)
        try:
            yield created
        finally:
            ACTIVE.remove(created)


@contextlib.contextmanager
def the_local_clouds_moto() -> Iterator[None]:
    """moto with the local cloud's CPU savings, which give moto's own answers (each has its test in
    tests/local_cloud): a parser built once per JSONPath instead of per event delivered to a rule's
    target, a queue's messages counted at one instant, the response serializer's keys found once.
    Without them the API contract test's ~7,300 requests spent over a quarter of its CPU in moto
    re-deriving the same things. The handlers under test run on the moto the local cloud runs them on."""
    from infra.local import moto_adapters, moto_speedups

    moto_adapters.parse_each_json_path_once()
    moto_adapters.count_queue_messages_at_one_instant()
    moto_speedups.install_all()
    try:
        yield
    finally:
        moto_adapters.restore_all()


ACTIVE: list[MotoAws] = []
"""The ``aws`` fixture of the running test, if any: where ``onboard`` writes (tokens are minted by
a session-wide key, outside any one test's fixtures)."""

TEST_PLAN_LIMITS = {"requests_per_minute": 100_000, "max_concurrent_runs": 1_000}
"""The tenants the tests' tokens are issued to: limits no test reaches unless it sets its own."""


def onboard(tenant_id: str, **limits: int) -> None:
    """Onboard ``tenant_id`` in the tenants table (on moto) unless it is there already."""
    from orchestrator.adapters.dynamodb_tenants import DynamoTenantDirectory
    from orchestrator.tenancy.plans import Tenant

    if not ACTIVE or not TENANT_ID_PATTERN.fullmatch(tenant_id):
        return
    table = ACTIVE[-1].settings.tenants_table
    with contextlib.suppress(ConflictError):
        DynamoTenantDirectory(table, boto3.resource("dynamodb")).create(
            Tenant(
                tenant_id=tenant_id,
                plan="enterprise",
                created_at="2026-01-01T00:00:00+00:00",
                created_by="tests",
                **(TEST_PLAN_LIMITS | limits),
            )
        )


@dataclass(frozen=True)
class OnboardingSigningKey(LocalSigningKey):
    """The tests' identity provider: it issues tokens to users of onboarded tenants only, so the
    tenant of a token it mints is onboarded first (a disabled one stays disabled)."""

    def mint(self, *, tenant_id: str, **claims: Any) -> str:
        onboard(tenant_id)
        return super().mint(tenant_id=tenant_id, **claims)


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> LocalSigningKey:
    return OnboardingSigningKey.load_or_create(Path(tmp_path_factory.mktemp("keys")))


@dataclass
class ApiFunction:
    """The API function as a test calls it: the real ``handlers.api`` module, given the test's
    container (whatever ``aws.configure`` made last) on every call."""

    aws: MotoAws

    def handler(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        from handlers import api as api_module

        answer: dict[str, Any] = api_module.handler(event, context, container=self.aws.container)
        return answer

    @property
    def container(self) -> Container:
        return self.aws.container


@pytest.fixture
def api(aws: MotoAws, signing_key: LocalSigningKey) -> Iterator[ApiFunction]:
    role = _client("iam").create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    arn = _client("stepfunctions").create_state_machine(
        name="generic", definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]
    aws.configure(state_machines={name: arn for name in TEMPLATES})
    yield _api_function(aws, signing_key)


def _api_function(aws: MotoAws, signing_key: LocalSigningKey) -> ApiFunction:
    """The API function on the test's resources, trusting tokens of ``signing_key``."""
    aws.configure(jwt_issuer=LOCAL_ISSUER, jwt_audience=LOCAL_AUDIENCE, jwt_jwks=signing_key.jwks())
    return ApiFunction(aws)


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def api_client(aws: MotoAws, signing_key: LocalSigningKey) -> ApiClient:
    """The API function called as an admin, user or viewer of a tenant (``tests/integration/api_calls.py``),
    for the routes that start no run: no state machines (``api`` has them)."""
    from tests.integration.api_calls import ApiClient  # it imports this module: not at the top

    return ApiClient(_api_function(aws, signing_key), signing_key)


@pytest.fixture
def one_dynamodb_request_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each single-item request atomically (a condition checked and the write made
    as one step, an ADD never lost). moto's in-process backend has no lock: concurrent threads can
    interleave inside one request (two passing ``attribute_not_exists``, a lost ``ADD``, even a
    read copying an item while another thread changes it). One lock around each moto DynamoDB
    request gives the tests that guarantee and no more: a read-then-write still races."""
    import threading

    from moto.dynamodb.responses import DynamoHandler

    lock = threading.Lock()
    call_action = DynamoHandler.call_action

    def atomic(self: DynamoHandler) -> Any:
        with lock:
            return call_action(self)

    monkeypatch.setattr(DynamoHandler, "call_action", atomic)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """schemathesis gives every operation's generated test the same node id, and pytest-xdist keys
    the tests it hands out by node id: all but one operation would silently not run under
    ``make test``. Each operation's test gets its own id (``...[GET /runs/{run_id}]``)."""
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and label not in item.nodeid and item.parent is not None:
            item._id = item.parent.id.child(item.name)  # what pytest derives from the name ``test[<label>]``
