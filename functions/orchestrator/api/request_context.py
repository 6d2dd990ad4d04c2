"""The container of the request being answered: the API handler sets it, routes read it."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.container import Container

CONTAINER: ContextVar[Container] = ContextVar("container")


def current_container() -> Container:
    """What this request's routes use: repositories, publisher, model services, the verifier."""
    return CONTAINER.get()
