"""Unit tests: no network, no AWS. Every test runs with sockets disabled and fake credentials."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_socket import disable_socket, enable_socket

from tests.fakes.run_data import (
    FakeStarter,
    InMemoryCommandLog,
    InMemoryEventRepository,
    InMemoryRunRepository,
    InMemoryStepResultRepository,
    InMemoryWorkspace,
    RecordingPublisher,
)
from tests.fakes.task_tokens import FakeTaskTokens


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test may open a socket or find real AWS credentials."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    disable_socket()
    try:
        yield
    finally:
        enable_socket()


@pytest.fixture
def runs() -> InMemoryRunRepository:
    return InMemoryRunRepository()


@pytest.fixture
def results() -> InMemoryStepResultRepository:
    return InMemoryStepResultRepository()


@pytest.fixture
def command_log() -> InMemoryCommandLog:
    return InMemoryCommandLog()


@pytest.fixture
def workspace() -> InMemoryWorkspace:
    return InMemoryWorkspace()


@pytest.fixture
def tokens() -> FakeTaskTokens:
    return FakeTaskTokens()


@pytest.fixture
def events() -> InMemoryEventRepository:
    return InMemoryEventRepository()


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def starter() -> FakeStarter:
    return FakeStarter()
