"""Real handlers and repositories in-process against moto; tables as the stack declares them."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from infra.local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER, LocalSigningKey
from orchestrator import wiring
from orchestrator.core import constants, settings
from orchestrator.core.errors import ConflictError
from orchestrator.core.records import TENANT_ID_PATTERN
from orchestrator.templates.graph import TEMPLATES
from tests.synthesized import resources_of_type, synthesized_template

if TYPE_CHECKING:
    from tests.integration.api_calls import ApiClient

TABLE_ENV = {
    "Runs": constants.ENV_RUNS_TABLE,
    "StepResults": constants.ENV_STEP_RESULTS_TABLE,
    "Commands": constants.ENV_COMMANDS_TABLE,
    "Events": constants.ENV_EVENTS_TABLE,
    "Idempotency": constants.ENV_IDEMPOTENCY_TABLE,
    "TenantSettings": constants.ENV_TENANT_SETTINGS_TABLE,
    "Prompts": constants.ENV_PROMPTS_TABLE,
    "ModelCache": constants.ENV_MODEL_CACHE_TABLE,
    "Usage": constants.ENV_USAGE_TABLE,
    "Circuits": constants.ENV_CIRCUIT_TABLE,
    "Tenants": constants.ENV_TENANTS_TABLE,
}


@dataclass
class MotoAws:
    tables: dict[str, str]  # Runs / StepResults / Commands / Events / Idempotency -> table name
    bus_name: str
    queue_url: str  # receives every event on the bus (to assert what was published)
    bucket: str  # the tenants' workspace, versioned as the stack declares it

    def published(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
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
        short = next(name for name in TABLE_ENV if logical_id.startswith(f"Tables{name}"))
        declared[short] = table["Properties"]
    return declared


@pytest.fixture(scope="session")
def table_declarations() -> dict[str, dict[str, Any]]:
    return _table_declarations()


@pytest.fixture(scope="session")
def workspace_versioning() -> dict[str, str]:
    """The workspace bucket's versioning exactly as the CDK stack declares it."""
    (bucket,) = resources_of_type(synthesized_template(), "AWS::S3::Bucket").values()
    return dict(bucket["Properties"]["VersioningConfiguration"])


def clear_caches() -> None:
    settings.get_settings.cache_clear()
    for factory in (
        wiring.runs,
        wiring.step_results,
        wiring.command_log,
        wiring.workspace,
        wiring.task_tokens,
        wiring.events,
        wiring.idempotency,
        wiring.tenants,
        wiring.publisher,
        wiring.provider,
        wiring.model_provider,
        wiring.tenant_settings,
        wiring.prompt_library,
        wiring.usage_ledger,
        wiring.response_cache,
        wiring.circuits,
        wiring.prices,
        wiring.deployment_models,
    ):
        factory.cache_clear()


@pytest.fixture
def aws(
    table_declarations: dict[str, dict[str, Any]],
    workspace_versioning: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MotoAws]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
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
            monkeypatch.setenv(TABLE_ENV[short], name)
        events = boto3.client("events")
        events.create_event_bus(Name="test-bus")
        sqs = boto3.client("sqs")
        queue_url = sqs.create_queue(QueueName="bus-tap")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(
            Name="tap", EventBusName="test-bus", EventPattern=json.dumps({"source": [constants.EVENT_SOURCE]})
        )
        events.put_targets(Rule="tap", EventBusName="test-bus", Targets=[{"Id": "tap", "Arn": queue_arn}])
        monkeypatch.setenv(constants.ENV_EVENT_BUS, "test-bus")
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="test-workspace")
        s3.put_bucket_versioning(Bucket="test-workspace", VersioningConfiguration=workspace_versioning)
        monkeypatch.setenv(constants.ENV_WORKSPACE_BUCKET, "test-workspace")
        clear_caches()
        yield MotoAws(tables=names, bus_name="test-bus", queue_url=queue_url, bucket="test-workspace")
        clear_caches()


TEST_PLAN_LIMITS = {"requests_per_minute": 100_000, "max_concurrent_runs": 1_000}
"""The tenants the tests' tokens are issued to: limits no test reaches unless it sets its own."""


def onboard(tenant_id: str, **limits: int) -> None:
    """Onboard ``tenant_id`` in the tenants table (on moto) unless it is there already."""
    from orchestrator.adapters.dynamodb_tenants import DynamoTenantDirectory
    from orchestrator.tenancy.plans import Tenant

    table = os.environ.get(constants.ENV_TENANTS_TABLE)
    if not table or not TENANT_ID_PATTERN.fullmatch(tenant_id):
        return
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


@pytest.fixture
def api(aws: MotoAws, signing_key: LocalSigningKey, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    role = boto3.client("iam").create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    arn = boto3.client("stepfunctions").create_state_machine(
        name="generic", definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]
    machines = {name: arn for name in TEMPLATES}
    monkeypatch.setenv(constants.ENV_STATE_MACHINES, json.dumps(machines))
    yield _api_function(signing_key, monkeypatch)


def _api_function(signing_key: LocalSigningKey, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The API function's module, trusting tokens of ``signing_key``."""
    monkeypatch.setenv(constants.ENV_JWT_ISSUER, LOCAL_ISSUER)
    monkeypatch.setenv(constants.ENV_JWT_AUDIENCE, LOCAL_AUDIENCE)
    monkeypatch.setenv(constants.ENV_JWT_JWKS, json.dumps(signing_key.jwks()))
    clear_caches()
    from orchestrator.api import security

    security.verifier.cache_clear()  # the verifier holds the JWKS it was made with
    from handlers import api as api_module

    return api_module


class FakeLambdaContext:
    function_name = "test-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    memory_limit_in_mb = 256
    aws_request_id = "req-1"
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "stream"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def api_client(aws: MotoAws, signing_key: LocalSigningKey, monkeypatch: pytest.MonkeyPatch) -> ApiClient:
    """The API function called as an admin, user or viewer of a tenant (``tests/integration/api_calls.py``),
    for the routes that start no run: no state machines (``api`` has them)."""
    from tests.integration.api_calls import ApiClient  # it imports this module: not at the top

    return ApiClient(_api_function(signing_key, monkeypatch), signing_key)


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
