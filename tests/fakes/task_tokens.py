"""Step Functions' SendTaskSuccess / SendTaskFailure, in memory (moto does not run the gates)."""

from __future__ import annotations

from typing import Any

from orchestrator.core.errors import RunNotActive


class FakeTaskTokens:
    """Records each answer; a token answered once, or any token once ``expired`` is set (the gate
    timed out or the run ended), is refused as Step Functions refuses it."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.closed: set[str] = set()
        self.expired = False

    def succeed(self, token: str, output: dict[str, Any]) -> None:
        self._use(token)
        self.calls.append(("succeed", token, output))

    def fail(self, token: str, error: str, cause: str) -> None:
        self._use(token)
        self.calls.append(("fail", token, error, cause))

    def _use(self, token: str) -> None:
        if self.expired or token in self.closed:
            raise RunNotActive("the run is no longer waiting at this gate (it timed out or ended)")
        self.closed.add(token)
