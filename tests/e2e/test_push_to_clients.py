"""Following runs live through the local cloud's WebSocket API: a client of the run's tenant receives
each step's start and completion, the approval request and the run's end, in order, as they happen;
a client of another tenant receives none of them, whatever it subscribes to."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from infra.cli.run_events import RunEventStream, SubscriptionRefused, subscribe
from orchestrator.templates.catalog.feature_delivery import DEMO
from tests.e2e.conftest import Client, holds_for

FOLLOWED = {
    "ORCHESTRATION_STARTED",
    "PHASE_STARTED",
    "PHASE_COMPLETED",
    "APPROVAL_REQUESTED",
    "ORCHESTRATION_COMPLETED",
}
BEFORE_THE_GATE = ("analysis", "backend", "testing", "security")


class Follower:
    """A subscribed client that keeps every envelope it receives, read by a thread as a UI would."""

    def __init__(self, client: Client, run_id: str | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self.stream: RunEventStream = subscribe(client.cloud.websocket_url, client.token, run_id)
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self) -> None:
        try:
            for envelope in self.stream:
                self.received.append(envelope)
        except BaseException as exc:  # handed to the test
            self.error = exc

    def of_run(self, run_id: str) -> list[dict[str, Any]]:
        return [e for e in self.received if e["run_id"] == run_id]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            assert self.error is None, self.error
            time.sleep(0.1)
        got = [(e["event_type"], e.get("phase")) for e in self.received]
        raise TimeoutError(f"not received in time; got {got}")


def followed(envelopes: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(e["event_type"], e.get("phase")) for e in envelopes if e["event_type"] in FOLLOWED]


def test_a_client_follows_a_feature_delivery_run_live_and_another_tenant_sees_none_of_it(
    acme: Client, globex: Client
) -> None:
    # Given a client of acme subscribed to every run of acme, one of globex subscribed to every run
    # of globex
    acme_client, globex_client = Follower(acme), Follower(globex)
    try:
        # When acme starts a feature_delivery run
        run_id = acme.start({"template": "feature_delivery", **DEMO})
        # Then globex cannot subscribe to it: the same answer as for a run that does not exist
        with pytest.raises(SubscriptionRefused, match="RunNotFound"):
            subscribe(globex.cloud.websocket_url, globex.token, run_id)

        # And acme's client is told, live, that the run waits at its gate
        acme_client.wait_for(
            lambda: "APPROVAL_REQUESTED" in [t for t, _ in followed(acme_client.of_run(run_id))]
        )
        assert acme.request("GET", f"/runs/{run_id}").json()["status"] == "AWAITING_APPROVAL"
        # and a second client of acme can join for this run only, from now on
        late = Follower(acme, run_id)
        approved = acme.request("POST", f"/runs/{run_id}/approval", json={"decision": "approve"})
        assert approved.status_code == 200, approved.text
        acme_client.wait_for(
            lambda: ("ORCHESTRATION_COMPLETED", None) in followed(acme_client.of_run(run_id))
        )
        late.wait_for(lambda: ("ORCHESTRATION_COMPLETED", None) in followed(late.received))

        # Then acme's client received every step's start and completion, the approval request and
        # the run's end, in the order they happened
        expected = [("ORCHESTRATION_STARTED", None)]
        for step in BEFORE_THE_GATE:
            expected += [("PHASE_STARTED", step), ("PHASE_COMPLETED", step)]
        expected += [("APPROVAL_REQUESTED", "release_approval")]
        after_gate = [
            ("PHASE_STARTED", "deploy"),
            ("PHASE_COMPLETED", "deploy"),
            ("ORCHESTRATION_COMPLETED", None),
        ]
        assert followed(acme_client.of_run(run_id)) == expected + after_gate
        # exactly the run's audit trail, each event once, none out of time order
        received = acme_client.of_run(run_id)
        # (the trail is written in batches, not in order: wait for as many of each type as pushed)
        audit = acme.events(run_id, *[e["event_type"] for e in received])
        assert sorted(e["event_id"] for e in received) == sorted(e["event_id"] for e in audit)
        times = [e["timestamp"] for e in received if e["event_type"] in FOLLOWED]
        assert times == sorted(times)
        # and the client that joined at the gate got what came after it, for this run only
        assert followed(late.received) == after_gate
        assert {e["run_id"] for e in late.received} == {run_id}

        # And globex's clients received nothing of acme's
        assert holds_for(1.0, lambda: globex_client.received == [])
        assert all(e["tenant_id"] == "acme" for e in acme_client.received)
    finally:
        for follower in (acme_client, globex_client):
            follower.stream.close()


def test_a_refused_token_and_a_message_that_is_not_a_subscription_get_clear_answers(acme: Client) -> None:
    from websockets.sync.client import connect

    url = acme.cloud.websocket_url
    # a token that is not one: the handshake is refused with 401
    with pytest.raises(SubscriptionRefused, match="HTTP 401"):
        subscribe(url, "not-a-token")
    # the token in the Authorization header works as well as in the query
    with connect(url, additional_headers={"Authorization": f"Bearer {acme.token}"}) as socket:
        socket.send("not json")
        assert '"InvalidMessage"' in str(socket.recv(timeout=30))
        socket.send('{"action": "unsubscribe"}')
        assert "unknown action 'unsubscribe'" in str(socket.recv(timeout=30))
        socket.send('{"action": "subscribe", "run_id": "01aaaaaaaaaaaaaaaaaaaaaaaa"}')
        assert '"RunNotFound"' in str(socket.recv(timeout=30))
