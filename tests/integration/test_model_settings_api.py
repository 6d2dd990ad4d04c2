"""Tenant model settings: the repository on the TenantSettings table (moto) held to the same contract
as the in-memory fake, and ``GET/PUT /settings/models`` through the API function (gate, roles,
validation, error mapping)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import boto3
import pytest

from orchestrator.adapters.dynamodb_model_settings import DynamoTenantSettings
from orchestrator.core.constants import PK, SK
from orchestrator.core.errors import ConflictError
from orchestrator.llm.model_settings import TenantModelSettings, TenantSettingsStore
from tests.fakes.tenant_settings import InMemoryTenantSettings
from tests.integration.api_calls import ApiClient
from tests.integration.conftest import MotoAws

PATH = "/settings/models"
SETTINGS = {
    "default": {"provider": "anthropic", "temperature": 0.2, "fallback": [{"provider": "offline"}]},
    "templates": {"sales_call_analysis": {"tier": "small"}},
    "steps": {"sales_call_analysis.report": {"model": "claude-opus-4-1", "max_output_tokens": 2000}},
}


# --- the repository -------------------------------------------------------------------------------
@pytest.fixture(params=["dynamodb", "in-memory"])
def store(request: pytest.FixtureRequest, aws: MotoAws) -> TenantSettingsStore:
    if request.param == "dynamodb":
        return DynamoTenantSettings(aws.tables["TenantSettings"])
    return InMemoryTenantSettings()


def test_settings_round_trip_with_a_revision_per_write(store: TenantSettingsStore) -> None:
    # Given nothing stored for acme
    assert store.get_models("acme") is None
    # When an admin stores settings, then stores them again
    first = store.put_models("acme", TenantModelSettings.model_validate(SETTINGS), "alice", None)
    second = store.put_models("acme", TenantModelSettings.model_validate(SETTINGS), "bob", None)
    # Then they read back as written, the revision counts writes, and globex has none
    stored = store.get_models("acme")
    assert stored is not None
    assert stored.settings == TenantModelSettings.model_validate(SETTINGS)
    assert stored.settings.default.temperature == 0.2
    assert (first.revision, second.revision, stored.revision, stored.updated_by) == (1, 2, 2, "bob")
    assert store.get_models("globex") is None


def test_a_write_naming_a_stale_revision_is_a_conflict(store: TenantSettingsStore) -> None:
    # Given settings at revision 1
    store.put_models("acme", TenantModelSettings(), "alice", 0)
    # When someone writes expecting nothing stored yet, or revision 2
    for expected in (0, 2):
        with pytest.raises(ConflictError, match="changed by someone else"):
            store.put_models("acme", TenantModelSettings.model_validate(SETTINGS), "bob", expected)
    # Then the stored settings are untouched; the right revision goes through
    stored = store.get_models("acme")
    assert stored is not None and (stored.revision, stored.updated_by) == (1, "alice")
    assert store.put_models("acme", TenantModelSettings(), "bob", 1).revision == 2


def test_a_write_expecting_a_revision_when_nothing_is_stored_is_a_conflict(
    store: TenantSettingsStore,
) -> None:
    with pytest.raises(ConflictError):
        store.put_models("acme", TenantModelSettings(), "bob", 3)
    assert store.get_models("acme") is None


def test_the_item_lives_under_the_tenant_key(aws: MotoAws) -> None:
    DynamoTenantSettings(aws.tables["TenantSettings"]).put_models(
        "acme", TenantModelSettings.model_validate(SETTINGS), "alice", None
    )
    table = boto3.resource("dynamodb").Table(aws.tables["TenantSettings"])
    item = table.get_item(Key={PK: "acme", SK: "models"})["Item"]
    assert item["revision"] == 1
    assert item["settings"]["default"]["provider"] == "anthropic"
    assert "model" not in item["settings"]["default"]  # unset fields are not stored


# --- the API ----------------------------------------------------------------------------------------
@pytest.fixture
def client(api_client: ApiClient) -> ApiClient:
    """The API of a deployment on anthropic's claude-sonnet-5-5 that also serves Bedrock."""
    api_client.api.aws.configure(
        model_provider="anthropic", model_name="claude-sonnet-5-5", bedrock_enabled=True
    )
    return api_client


def test_get_answers_empty_defaults_at_revision_0_and_what_the_deployment_offers(client: ApiClient) -> None:
    # Given a tenant that never stored model settings
    # When its admin reads them
    status, body, headers = client.call_as("admin", "GET", PATH)
    # Then they are empty at revision 0, with the deployment's defaults and what may be chosen
    assert status == HTTPStatus.OK
    assert body["settings"] == {"default": {}, "templates": {}, "steps": {}}
    assert (body["revision"], body["updated_by"], headers["etag"]) == (0, None, '"0"')
    deployment = body["deployment"]
    assert (deployment["provider"], deployment["model"]) == ("anthropic", "claude-sonnet-5-5")
    assert deployment["served"] == ["anthropic", "bedrock", "offline"]
    assert deployment["tier_models"]["anthropic"] == {
        "small": "claude-haiku-5-5",
        "large": "claude-sonnet-5-5",
    }
    assert "openai" not in deployment["tier_models"]
    assert deployment["steps"]["sales_call_analysis"] == ["intake", "meddpic", "report"]


def test_put_then_get_answers_the_stored_settings(client: ApiClient) -> None:
    # When the admin stores settings
    status, body, headers = client.call_as("admin", "PUT", PATH, SETTINGS)
    # Then they are answered as stored, at revision 1, and a read gives them back
    assert status == HTTPStatus.OK, body
    assert (body["settings"], body["revision"], body["updated_by"], headers["etag"]) == (
        SETTINGS,
        1,
        "alice",
        '"1"',
    )
    status, again, _ = client.call_as("admin", "GET", PATH)
    assert (status, again["settings"], again["revision"]) == (200, SETTINGS, 1)
    stored = client.api.container.tenant_settings.get_models("acme")
    assert (
        stored is not None and stored.settings.steps["sales_call_analysis.report"].model == "claude-opus-4-1"
    )
    assert client.api.container.tenant_settings.get_models("globex") is None


def test_if_match_guards_against_a_concurrent_change(client: ApiClient) -> None:
    # Given settings at revision 1
    client.call_as("admin", "PUT", PATH, SETTINGS)
    # When an admin writes naming revision 0 (what they read before), then the current one
    stale, body, _ = client.call_as("admin", "PUT", PATH, {}, headers={"If-Match": '"0"'})
    fresh, answer, _ = client.call_as("admin", "PUT", PATH, {}, headers={"If-Match": '"1"'})
    # Then the stale write is a 409 that changed nothing, the fresh one goes through
    assert stale == HTTPStatus.CONFLICT
    assert "changed by someone else" in body["message"]
    assert (fresh, answer["revision"], answer["settings"]["default"]) == (200, 2, {})


def test_a_malformed_if_match_is_a_400(client: ApiClient) -> None:
    status, body, _ = client.call_as("admin", "PUT", PATH, SETTINGS, headers={"If-Match": "yesterday"})
    assert status == HTTPStatus.BAD_REQUEST
    assert "If-Match" in body["message"]
    assert client.call_as("admin", "GET", PATH)[1]["revision"] == 0


def test_an_unknown_template_is_a_400_naming_it(client: ApiClient) -> None:
    body = {"templates": {"no_such_template": {"temperature": 0.1}}}
    status, answer, _ = client.call_as("admin", "PUT", PATH, body)
    assert status == HTTPStatus.BAD_REQUEST
    assert [d["location"] for d in answer["details"]] == ["body.templates.no_such_template"]
    assert "unknown template 'no_such_template'" in answer["details"][0]["message"]
    assert client.call_as("admin", "GET", PATH)[1]["revision"] == 0


def test_an_unserved_provider_is_a_400_naming_where(client: ApiClient) -> None:
    # Given a deployment that serves no openai key: a step and a fallback asking for it
    body = {
        "steps": {"generic.review": {"provider": "openai", "fallback": [{"provider": "openai_compatible"}]}}
    }
    status, answer, _ = client.call_as("admin", "PUT", PATH, body)
    assert status == HTTPStatus.BAD_REQUEST
    assert [d["location"] for d in answer["details"]] == [
        "body.steps.generic.review.provider",
        "body.steps.generic.review.fallback.0.provider",
    ]
    assert "it serves: anthropic, bedrock, offline" in answer["details"][0]["message"]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"default": {"temperature": "hot"}}, "body.default.temperature"),
        ({"default": {"model": "a b"}}, "body.default.model"),
        ({"tenant_id": "globex"}, "body.tenant_id"),
    ],
)
def test_a_malformed_body_is_a_422_naming_the_field(client: ApiClient, body: Any, location: str) -> None:
    status, answer, _ = client.call_as("admin", "PUT", PATH, body)
    assert status == HTTPStatus.UNPROCESSABLE_ENTITY
    assert location in [d["location"] for d in answer["details"]]


@pytest.mark.parametrize(("role", "expected"), [("user", 403), ("viewer", 403), (None, 401)])
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_only_admins_read_or_change_model_settings(
    client: ApiClient, role: str | None, expected: int, method: str
) -> None:
    # Given a caller who is not an admin (or has no token)
    # When they read or write the settings
    status, _, _ = client.call_as(role, method, PATH, SETTINGS if method == "PUT" else None)
    # Then they are refused and nothing was stored
    assert status == expected
    assert client.api.container.tenant_settings.get_models("acme") is None


def test_admins_see_only_their_own_tenants_settings(client: ApiClient) -> None:
    client.call_as("admin", "PUT", PATH, SETTINGS)
    status, body, _ = client.call_as("admin", "GET", PATH, tenant="globex")
    assert (status, body["revision"], body["settings"]["steps"]) == (200, 0, {})


def test_the_routes_document_their_request_and_answer(client: ApiClient) -> None:
    spec = client.openapi()
    operations = spec["paths"][PATH]
    assert {"200", "401", "403"} <= set(operations["get"]["responses"])
    assert {"200", "400", "401", "403", "409", "422"} <= set(operations["put"]["responses"])
    schemas = spec["components"]["schemas"]
    assert {"default", "templates", "steps"} <= set(schemas["TenantModelSettings"]["properties"])
    assert "deployment" in schemas["ModelSettingsView"]["properties"]
