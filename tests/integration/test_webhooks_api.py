"""``/webhooks`` through the API function (gate, roles, validation) on the Webhooks table (moto)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from orchestrator.core import constants
from orchestrator.core.records import EventEnvelope
from orchestrator.webhooks.delivery import Deliverer, dispatch
from orchestrator.webhooks.model import RetrySchedule
from tests.fakes.run_data import RecordingPublisher
from tests.fakes.webhooks import RecordingRetries, ScriptedReceiver
from tests.integration.api_calls import ApiClient

URL = "https://93.184.216.34/hooks/orchestrator"  # a public address: resolved without DNS
WANTED = [constants.APPROVAL_REQUESTED, constants.ORCHESTRATION_COMPLETED]


def _create(api_client: ApiClient, tenant: str = "acme", **body: Any) -> dict[str, Any]:
    status, answer, _ = api_client.call_as(
        "admin", "POST", "/webhooks", {"url": URL, "event_types": WANTED} | body, tenant=tenant
    )
    assert status == 201, answer
    return dict(answer)


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(api_client: ApiClient) -> None:
    # When an admin of acme registers an endpoint
    created = _create(api_client, description="CRM")
    # Then the answer holds the endpoint and its whsec_ secret
    assert created["secret"].startswith("whsec_") and created["endpoint_id"].startswith("wh_")
    assert created["url"] == URL and created["status"] == "enabled" and created["created_by"] == "alice"
    assert created["event_types"] == sorted(WANTED) and created["description"] == "CRM"
    # And listing it never shows a secret
    status, listed, _ = api_client.call_as("admin", "GET", "/webhooks")
    assert status == 200 and [w["endpoint_id"] for w in listed["webhooks"]] == [created["endpoint_id"]]
    assert "secret" not in str(listed).replace("secret_created_at", "").replace("previous_secret", "")


def test_another_tenants_endpoint_is_not_found_and_not_listed(api_client: ApiClient) -> None:
    created = _create(api_client)
    endpoint = created["endpoint_id"]
    for method, path in (
        ("DELETE", f"/webhooks/{endpoint}"),
        ("POST", f"/webhooks/{endpoint}/rotate"),
        ("GET", f"/webhooks/{endpoint}/deliveries"),
    ):
        status, answer, _ = api_client.call_as("admin", method, path, tenant="globex")
        assert (status, answer["error"]) == (404, "NotFound"), (method, path)
    assert api_client.call_as("admin", "GET", "/webhooks", tenant="globex")[1] == {"webhooks": []}
    assert api_client.call_as("admin", "GET", "/webhooks")[1]["webhooks"][0]["status"] == "enabled"


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        ("user", "POST", "/webhooks"),
        ("viewer", "GET", "/webhooks"),
        ("user", "GET", "/webhooks/wh_01kbz3q9v6x8m2n4p5r7s9t1vw/deliveries"),
        ("user", "DELETE", "/webhooks/wh_01kbz3q9v6x8m2n4p5r7s9t1vw"),
    ],
)
def test_only_admins_manage_webhooks(api_client: ApiClient, role: str, method: str, path: str) -> None:
    status, answer, _ = api_client.call_as(role, method, path, {"url": URL, "event_types": WANTED})
    assert (status, answer["error"]) == (403, "ForbiddenAction")


@pytest.mark.parametrize(
    ("body", "status", "location", "says"),
    [
        ({"url": "http://93.184.216.34/x", "event_types": WANTED}, 400, "body.url", "plain http"),
        ({"url": "https://127.0.0.1/x", "event_types": WANTED}, 400, "body.url", "loopback"),
        ({"url": "https://169.254.169.254/latest", "event_types": WANTED}, 400, "body.url", "link-local"),
        ({"url": "https://10.0.0.8/x", "event_types": WANTED}, 400, "body.url", "private"),
        ({"url": URL, "event_types": ["RUN_EXPLODED"]}, 422, "body.event_types", "unknown event type"),
        ({"url": URL, "event_types": []}, 422, "body.event_types", "at least 1"),
        ({"url": URL}, 422, "body.event_types", "required"),
        ({"url": URL, "event_types": WANTED, "secret": "whsec_x"}, 422, "body.secret", "Extra inputs"),
    ],
)
def test_a_bad_registration_is_refused_naming_the_field_and_nothing_is_kept(
    api_client: ApiClient, body: dict[str, Any], status: int, location: str, says: str
) -> None:
    answered, answer, _ = api_client.call_as("admin", "POST", "/webhooks", body)
    assert answered == status, answer
    assert location in [d["location"] for d in answer["details"]]
    assert says in answer["message"]
    assert api_client.call_as("admin", "GET", "/webhooks")[1] == {"webhooks": []}


def test_rotation_shows_a_new_secret_once_and_the_old_one_keeps_signing_for_the_grace_period(
    api_client: ApiClient,
) -> None:
    created = _create(api_client)
    status, rotated, _ = api_client.call_as("admin", "POST", f"/webhooks/{created['endpoint_id']}/rotate")
    assert status == 200 and rotated["secret"] != created["secret"]
    assert rotated["previous_secret_expires_at"] is not None
    container = api_client.api.container
    endpoint = container.webhooks.endpoint("acme", created["endpoint_id"])
    assert endpoint is not None
    from orchestrator.core.records import utc_now

    assert endpoint.signing_secrets(utc_now()) == [rotated["secret"], created["secret"]]


def test_a_deleted_endpoint_is_gone_for_its_tenant(api_client: ApiClient) -> None:
    created = _create(api_client)
    path = f"/webhooks/{created['endpoint_id']}"
    status, deleted, _ = api_client.call_as("admin", "DELETE", path)
    assert (status, deleted["status"]) == (200, "deleted")
    assert api_client.call_as("admin", "GET", "/webhooks")[1] == {"webhooks": []}
    assert api_client.call_as("admin", "DELETE", path)[0] == 404


def test_the_delivery_log_shows_attempts_status_codes_the_last_answer_and_the_next_attempt(
    api_client: ApiClient,
) -> None:
    # Given an endpoint, and an approval delivered to it after a failed first attempt
    created = _create(api_client)
    container = api_client.api.container
    receiver = ScriptedReceiver([502, 204])
    deliverer = Deliverer(container.webhooks, receiver, RecordingPublisher(), RetrySchedule.parse("30"))
    event = EventEnvelope(
        event_type=constants.APPROVAL_REQUESTED, correlation_id="c", tenant_id="acme", run_id="r"
    )
    from orchestrator.tenancy.acting import acting_for_tenant

    with acting_for_tenant("acme"):
        retries = RecordingRetries()
        dispatch(event, deliverer=deliverer, retries=retries, time_left_ms=lambda: 60_000, attempt_needs_ms=1)
        path = f"/webhooks/{created['endpoint_id']}/deliveries"
    _, log, _ = api_client.call_as("admin", "GET", path)
    (waiting,) = log["deliveries"]
    assert waiting["status"] == "retrying" and waiting["last_status_code"] == 502
    assert waiting["last_response"] == "answer 502" and waiting["next_attempt_at"] is not None
    # When the retry succeeds
    with acting_for_tenant("acme"):
        deliverer.attempt("acme", created["endpoint_id"], waiting["delivery_id"])
    (done,) = api_client.call_as("admin", "GET", path)[1]["deliveries"]
    assert done["status"] == "delivered" and [a["status_code"] for a in done["attempts"]] == [502, 204]
    assert "body" not in done
    _, body, headers = receiver.requests[-1]
    assert Webhook(created["secret"]).verify(body, headers)["data"]["run_id"] == "r"
    assert int(headers["webhook-timestamp"]) <= time.time()


def test_the_delivery_log_pages_newest_first_and_refuses_another_endpoints_cursor(
    api_client: ApiClient,
) -> None:
    first, second = _create(api_client), _create(api_client)
    container = api_client.api.container
    deliverer = Deliverer(
        container.webhooks, ScriptedReceiver([200]), RecordingPublisher(), RetrySchedule.parse("")
    )
    from orchestrator.tenancy.acting import acting_for_tenant

    with acting_for_tenant("acme"):
        for minute, run in enumerate(("r1", "r2", "r3")):  # delivery ids order by the event's time
            event = EventEnvelope(
                event_type=constants.ORCHESTRATION_COMPLETED,
                correlation_id="c",
                tenant_id="acme",
                run_id=run,
                timestamp=datetime(2026, 12, 4, 18, minute, tzinfo=UTC),
            )
            dispatch(
                event,
                deliverer=deliverer,
                retries=RecordingRetries(),
                time_left_ms=lambda: 9,
                attempt_needs_ms=1,
            )
    path = f"/webhooks/{first['endpoint_id']}/deliveries"
    _, page, _ = api_client.call_as("admin", "GET", f"{path}?limit=2")
    assert [d["run_id"] for d in page["deliveries"]] == ["r3", "r2"] and page["next_cursor"]
    _, rest, _ = api_client.call_as("admin", "GET", f"{path}?limit=2&cursor={page['next_cursor']}")
    assert [d["run_id"] for d in rest["deliveries"]] == ["r1"] and rest["next_cursor"] is None
    other = f"/webhooks/{second['endpoint_id']}/deliveries?cursor={page['next_cursor']}"
    status, refused, _ = api_client.call_as("admin", "GET", other)
    assert (status, refused["error"]) == (400, "InvalidRequest")
