"""The web console in a real headless browser (Debian's Chromium driven by Playwright) on the local
cloud: a person signs in with a token, follows a run to its approval gate, approves it and sees it
succeed; rejects another and sees everything it did undone. Screenshots of what they saw are kept
under ``test-artifacts/console/``.

Chromium is Debian's (``apt-get install chromium``; ``.ci/run`` installs it); Playwright never
downloads a browser of its own. Without ``/usr/bin/chromium`` the browser tests are skipped on a
developer's machine and fail in CI (``CI`` set), so CI always runs them.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.assembly import REPO_ROOT
from infra.local.cloud import LocalCloud
from tests.e2e.conftest import Client

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "console"
WAIT_MS = 120_000  # a loaded 2-core machine runs the template's steps slowly
SHOWCASE = {"template": "graph_showcase", "options": {"offline": {"list_items": 2}}}
# the colours a person sees (console.css): the border of a step's box
GREEN, PURPLE, RED, AMBER, GREY = (
    "rgb(46, 125, 50)",
    "rgb(106, 27, 154)",
    "rgb(198, 40, 40)",
    "rgb(141, 91, 0)",
    "rgb(107, 117, 128)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        why = "Debian's Chromium is not at /usr/bin/chromium (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"{why}: CI must run the browser tests (.ci/run installs it)")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()
    assert errors == [], f"the console's script failed: {errors}"


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def step(page: Any, key: str) -> Any:
    return page.locator(f'#graph .node[data-step="{key}"]')


def has_border(locator: Any, colour: str) -> None:
    """The step's box is drawn in ``colour``: waited for, as the page redraws on every pushed event
    (a box being replaced at the moment it is read has no computed style)."""
    from playwright.sync_api import expect

    expect(locator).to_have_css("border-top-color", colour)


def sign_in(page: Any, cloud: LocalCloud, token: str) -> None:
    from playwright.sync_api import expect

    page.goto(cloud.console_url)
    expect(page.locator("#sign-in-page")).to_be_visible()
    page.fill("#token-input", token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#runs-page")).to_be_visible()


def open_run_at_its_gate(page: Any, run_id: str) -> None:
    from playwright.sync_api import expect

    page.locator(f'a[href="#/runs/{run_id}"]').click()
    expect(page.locator("#run-id")).to_have_text(run_id)
    expect(page.locator("#run-status")).to_have_text("AWAITING_APPROVAL")
    expect(page.locator("#gate")).to_be_visible()
    expect(page.locator("#gate-question")).to_have_text("Release the work described in the report?")


def test_a_person_approves_one_run_and_rejects_another(cloud: LocalCloud, page: Any) -> None:
    from playwright.sync_api import expect

    # Given two runs of the showcase template (each stops at its sign-off gate) of one tenant
    token = cloud.mint_token(tenant_id="console-co", role="user", subject="carla")
    client = Client(cloud, token)
    approved = client.start(SHOWCASE | {"topic": "a todo app"})
    rejected = client.start(SHOWCASE | {"topic": "a risky launch"})

    # When a person signs in with the token, Then they see the tenant's runs
    sign_in(page, cloud, token)
    expect(page.locator("#who")).to_contain_text("tenant console-co")
    for run_id, topic in ((approved, "a todo app"), (rejected, "a risky launch")):
        expect(page.locator(f'tr[data-run-id="{run_id}"]')).to_contain_text(topic)
    expect(page.locator("#live")).to_contain_text("live:")

    # When they open the first run, Then they see it wait at the gate: the graph drawn from the
    # template, done steps green, the gate purple, what comes after grey
    open_run_at_its_gate(page, approved)
    expect(page.locator("#graph")).to_have_attribute("data-drawn-from", "catalog")
    for key in ("intake", "risks", "plan", "execute_task#0000", "execute_task#0001", "safety", "report"):
        expect(step(page, key)).to_have_attribute("data-status", "SUCCEEDED")
    expect(step(page, "sign_off")).to_have_attribute("data-status", "WAITING")
    expect(step(page, "release")).to_have_attribute("data-status", "NOT_STARTED")
    has_border(step(page, "intake"), GREEN)
    has_border(step(page, "sign_off"), PURPLE)
    has_border(step(page, "release"), GREY)
    expect(page.locator("#graph .parallel .node")).to_have_count(2)  # risks and plan side by side
    # And the compensation path: what a rejection would undo, newest first
    expect(page.locator("#compensation-note")).to_contain_text("undone in this order")
    undo = page.locator("#compensation .node")
    expect(undo).to_have_count(7)
    assert undo.first.get_attribute("data-step") == "report"
    assert undo.last.get_attribute("data-step") == "intake"
    # And the timeline and each step's output
    expect(page.locator('#timeline-body tr[data-name="APPROVAL_REQUESTED"]')).to_have_count(1)
    expect(page.locator('#outputs details[data-step="intake"] summary')).to_contain_text("Request analyst")
    screenshot(page, "1-run-waiting-at-its-gate")

    # When they approve with a comment, Then the run goes on to the release and succeeds
    page.fill("#gate-comment", "ship it")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#run-status")).to_have_text("SUCCEEDED")
    expect(page.locator("#gate")).to_be_hidden()
    expect(step(page, "sign_off")).to_have_attribute("data-status", "APPROVED")
    expect(step(page, "release")).to_have_attribute("data-status", "SUCCEEDED")
    has_border(step(page, "release"), GREEN)
    expect(page.locator("#compensation-note")).to_have_text("Nothing was undone.")
    expect(page.locator('#timeline-body tr[data-kind="execution"]')).to_contain_text("SUCCEEDED")
    expect(page.locator('#outputs details[data-step="release"] summary')).to_contain_text("SUCCEEDED")
    screenshot(page, "2-run-approved-and-succeeded")

    # When they go back to the runs and reject the second run at its gate
    page.get_by_role("link", name="All runs").click()
    expect(page.locator(f'tr[data-run-id="{approved}"]')).to_have_attribute("data-status", "SUCCEEDED")
    open_run_at_its_gate(page, rejected)
    page.fill("#gate-comment", "not now")
    page.get_by_role("button", name="Reject").click()

    # Then it ends REJECTED, saying why, and every step it completed is shown undone, newest first
    expect(page.locator("#run-status")).to_have_text("REJECTED")
    expect(page.locator("#run-error")).to_contain_text("ApprovalRejected")
    expect(step(page, "sign_off")).to_have_attribute("data-status", "REJECTED")
    expect(step(page, "intake")).to_have_attribute("data-status", "COMPENSATED")
    expect(step(page, "release")).to_have_attribute("data-status", "NOT_STARTED")
    has_border(step(page, "sign_off"), RED)
    has_border(step(page, "intake"), AMBER)
    expect(page.locator("#compensation-note")).to_contain_text("was rejected")
    expect(page.locator('#compensation .node[data-status="COMPENSATED"]')).to_have_count(7)
    shown = page.locator("#compensation .node").evaluate_all("nodes => nodes.map(n => n.dataset.step)")
    assert shown == client.request("GET", f"/runs/{rejected}").json()["compensated_steps"]
    expect(page.locator('#timeline-body tr[data-name="PHASE_COMPENSATED"]')).to_have_count(7)
    screenshot(page, "3-run-rejected-and-undone")


def test_the_console_follows_a_run_through_the_push_channel_when_it_has_one(
    cloud: LocalCloud, page: Any
) -> None:
    """The push channel's contract (``websocket_url`` in config.json): connect with the token in the
    ``token`` query parameter, subscribe to the run, refresh on each JSON envelope."""
    from playwright.sync_api import expect

    # Given a console whose config names a push channel, and a run
    token = cloud.mint_token(tenant_id="console-co", role="viewer", subject="vic")
    run_id = Client(cloud, cloud.mint_token(tenant_id="console-co")).start(SHOWCASE | {"topic": "pushed"})
    push_url = "ws://127.0.0.1:9/push"
    config = cloud.console_config() | {"websocket_url": push_url}
    page.route("**/config.json", lambda route: route.fulfill(json=config))
    connections: list[Any] = []
    received: list[dict[str, Any]] = []

    def push_channel(socket: Any) -> None:
        connections.append(socket)
        socket.on_message(lambda message: received.append(json.loads(message)))

    page.route_web_socket(re.compile(r"^ws://127\.0\.0\.1:9/push"), push_channel)

    def reads_the_run(request: Any) -> bool:
        return bool(request.method == "GET" and request.url.endswith(f"/runs/{run_id}"))

    # When the person signs in and opens the run
    sign_in(page, cloud, token)
    with page.expect_request(reads_the_run):
        page.locator(f'a[href="#/runs/{run_id}"]').click()

    # Then the console connected with the token and subscribed to that run, and says it is pushed to
    expect(page.locator("#live")).to_have_text("live: push")
    assert connections and connections[-1].url == f"{push_url}?token={token}"
    deadline = time.monotonic() + 30
    while {"action": "subscribe", "run_id": run_id} not in received and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert {"action": "subscribe", "run_id": run_id} in received, received

    # And each envelope pushed makes it read the run again (with push working, it polls only every
    # 15 s: a read within 8 s of the last one is the envelope's doing)
    page.wait_for_timeout(1500)
    envelope = {"event_type": "PHASE_COMPLETED", "run_id": run_id, "tenant_id": "console-co"}
    with page.expect_request(reads_the_run, timeout=8000):
        connections[-1].send(json.dumps(envelope))

    # When the channel goes away, Then it falls back to polling every second
    connections[-1].close()
    expect(page.locator("#live")).to_have_text("live: polling every 1 s")


def test_the_api_answers_the_consoles_cross_origin_calls_and_no_other_origins(
    cloud: LocalCloud, acme: Client
) -> None:
    origin = cloud.console_origins[0]
    # a preflight needs no token; the console's origin is allowed, another is not
    allowed = requests.options(
        f"{cloud.api_url}/runs",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "authorization" in allowed.headers["Access-Control-Allow-Headers"].lower()
    other = requests.options(
        f"{cloud.api_url}/runs",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
        timeout=30,
    )
    assert "Access-Control-Allow-Origin" not in other.headers
    # answers, refusals included, carry the console's origin so that its page can read them
    answer = acme.request("GET", "/runs", headers={"Origin": origin})
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == origin
    assert "x-correlation-id" in answer.headers["Access-Control-Expose-Headers"].lower()
    refused = requests.get(f"{cloud.api_url}/runs", headers={"Origin": origin}, timeout=30)
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == origin
