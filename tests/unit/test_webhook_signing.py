"""Deliveries are signed as Standard Webhooks: the reference library verifies every signature."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from orchestrator.core.records import EventEnvelope
from orchestrator.webhooks.model import webhook_body
from orchestrator.webhooks.signing import new_secret, signature, signed_headers


def test_a_new_secret_is_whsec_and_32_random_bytes_and_never_repeats() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(s.startswith("whsec_") and len(s) == len("whsec_") + 44 for s in secrets)


def test_the_reference_library_verifies_a_delivery_signed_here() -> None:
    # Given a secret and a body
    secret, body = new_secret(), '{"type":"APPROVAL_REQUESTED","data":{"run_id":"r1"}}'
    # When it is signed now
    headers = signed_headers([secret], "01kbz3q9v6x8m2n4p5r7s9t1vw", int(time.time()), body)
    # Then standardwebhooks verifies it and gives back the body
    assert Webhook(secret).verify(body, headers) == json.loads(body)
    assert headers["webhook-signature"].startswith("v1,")


def test_a_signature_matches_the_library_byte_for_byte() -> None:
    secret = new_secret()
    at = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    expected = Webhook(secret).sign("msg_1", at, "{}")
    assert signature(secret, "msg_1", int(at.timestamp()), "{}") == expected


def test_another_secret_a_changed_body_or_an_old_timestamp_are_refused() -> None:
    secret, body = new_secret(), '{"a":1}'
    headers = signed_headers([secret], "m1", int(time.time()), body)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify('{"a":2}', headers)
    stale = signed_headers([secret], "m1", int(time.time()) - 3600, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, stale)


def test_during_a_rotation_both_the_old_and_the_new_secret_verify() -> None:
    # Given a delivery signed with the new and the old secret (space-separated signatures)
    new, old, body = new_secret(), new_secret(), '{"x":1}'
    headers = signed_headers([new, old], "m2", int(time.time()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    # Then a receiver holding either one verifies it, and one holding neither does not
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)


def test_no_secret_no_signature() -> None:
    with pytest.raises(ValueError, match="at least one"):
        signed_headers([], "m", 0, "{}")


def test_the_body_is_type_timestamp_and_data_as_the_specification_recommends() -> None:
    envelope = EventEnvelope(
        event_type="ORCHESTRATION_COMPLETED",
        correlation_id="c1",
        tenant_id="acme",
        run_id="r1",
        payload={"status": "SUCCEEDED", "template": "generic"},
    )
    body = json.loads(webhook_body(envelope))
    assert body["type"] == "ORCHESTRATION_COMPLETED"
    assert datetime.fromisoformat(body["timestamp"]) == envelope.timestamp
    assert body["data"] == {
        "event_id": envelope.event_id,
        "tenant_id": "acme",
        "run_id": "r1",
        "correlation_id": "c1",
        "phase": None,
        "payload": {"status": "SUCCEEDED", "template": "generic"},
    }
    assert ", " not in webhook_body(envelope) and ": " not in webhook_body(envelope)  # minified
