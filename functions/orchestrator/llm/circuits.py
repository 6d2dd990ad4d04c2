"""Provider circuit breakers shared by every function instance (Powertools' circuit breaker).

One circuit per provider name. When a provider keeps failing for a passing reason (5xx,
timeouts, throttling), its circuit opens for everyone: calls to it are refused at once with
``CircuitOpen`` (without calling it) so a step can use a fallback provider, or be retried later
by the state machine, instead of waiting out timeouts. After ``open_seconds`` one caller (one
thread of one function instance, elected by a conditional write) probes the provider; a success
closes the circuit, a failure opens it again.

State lives in the Circuits table through Powertools' DynamoDB persistence. Key layout (not
tenant-scoped: a provider's health is the same for every tenant):

* ``pk = "circuits#providers"`` (one partition: a handful of items, read eventually consistent)
* ``sk = "provider#<provider name>"``, e.g. ``provider#anthropic``
* attributes ``state`` (CLOSED / OPEN / HALF_OPEN), ``failure_count``, ``opened_at``,
  ``half_open_owner``, ``probe_lease_expiry`` and the TTL attribute ``expires_at`` (an abandoned
  circuit's item goes away an hour after its last change; a missing item is a closed circuit).

What counts as a failure: only ``ProviderUnavailable``, ``ProviderTimeout`` and
``ProviderThrottled``. Permanent errors (a rejected request, an invalid answer, a provider not
configured) say nothing about the provider's health: they pass through and count for nothing.
``failure_threshold`` transient failures in a row (no success between them), each within
``failure_window_seconds`` of the first, open the circuit. Failures are counted per function
instance (no write on the healthy path); the open state is shared through the table. Each
instance caches the state it read for ``state_cache_seconds``.

The breaker never becomes the outage: when its table cannot be read or written the call goes
to the provider anyway (fail open) and the problem is logged.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.circuit_breaker import (
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    CircuitState,
    CircuitTransition,
    circuit_breaker,
)

from orchestrator.core.constants import SERVICE_NAME
from orchestrator.core.errors import CircuitOpen, ProviderThrottled, ProviderTimeout, ProviderUnavailable

T = TypeVar("T")
logger = Logger(service=SERVICE_NAME, child=True)  # logs through the function's logger, once it exists

PARTITION = "circuits#providers"
TRANSIENT_PROVIDER_ERRORS: tuple[type[Exception], ...] = (
    ProviderUnavailable,
    ProviderTimeout,
    ProviderThrottled,
)
MAX_FORCED_OPEN_SECONDS = 3600  # a stored circuit lives an hour past its recovery time (Powertools' TTL)


def circuit_name(provider: str) -> str:
    """The circuit (and the item's sort key) of a provider: ``provider#<name>``."""
    if not provider or "#" in provider or len(provider) > 64:
        raise ValueError(f"provider name {provider[:64]!r} cannot name a circuit")
    return f"provider#{provider}"


class _Streak:
    """One provider's transient failures in a row in this function instance, within the window."""

    def __init__(self, threshold: int, window_seconds: int) -> None:
        self._threshold = threshold
        self._window = window_seconds
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def failed(self, now: float) -> bool:
        """Record a failure; True when it completes the threshold (the streak then starts over)."""
        with self._lock:
            if self._times and now - self._times[0] > self._window:
                self._times.clear()  # the streak's first failure is too old: this one starts a new streak
            self._times.append(now)
            if len(self._times) >= self._threshold:
                self._times.clear()
                return True
            return False

    def clear(self) -> None:
        with self._lock:
            self._times.clear()


class _CallConfig(CircuitBreakerConfig):
    """The breaker's settings for one call; which failures trip the circuit is decided by ``trips``.

    Powertools trips on its first counted failure (``failure_threshold=1``): the threshold and the
    window are applied here, so a failure "counts" only when it completes a streak."""

    def __init__(self, trips: Callable[[Exception], bool], settings: CircuitBreakerConfig) -> None:
        super().__init__(
            failure_threshold=1,
            recovery_timeout=settings.recovery_timeout,
            success_threshold=settings.success_threshold,
            local_cache_max_age=settings.local_cache_max_age,
        )
        self._trips = trips

    def counts_as_failure(self, exception: Exception) -> bool:
        return isinstance(exception, TRANSIENT_PROVIDER_ERRORS) and self._trips(exception)


class ProviderCircuits:
    """Circuit breakers of the model providers, shared through the Circuits table.

    ``persistence``: any Powertools ``CircuitBreakerPersistenceLayer``: the DynamoDB one with the key
    layout above (``orchestrator.adapters.dynamodb_circuits``), or an in-memory one in tests."""

    def __init__(
        self,
        persistence: Any,
        *,
        failure_threshold: int = 5,
        failure_window_seconds: int = 60,
        open_seconds: int = 30,
        close_after_successes: int = 1,
        state_cache_seconds: int = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if failure_threshold < 1 or failure_window_seconds < 1:
            raise ValueError("failure_threshold and failure_window_seconds must be positive")
        self._persistence = persistence
        self._threshold = failure_threshold
        self._window = failure_window_seconds
        self._open_seconds = open_seconds
        self._config = CircuitBreakerConfig(  # fails here, at construction, on a bad value
            recovery_timeout=open_seconds,
            success_threshold=close_after_successes,
            local_cache_max_age=state_cache_seconds,
        )
        self._clock = clock
        self._streaks: dict[str, _Streak] = {}
        self._streaks_lock = threading.Lock()

    def call(self, provider: str, fn: Callable[[], T]) -> T:
        """``fn()`` through the provider's circuit; ``CircuitOpen`` (fn not called) when it is open."""
        name = circuit_name(provider)
        streak = self._streak(name)
        # any call made while the circuit is not closed is a probe: one transient failure reopens it
        probing = self._state(name).state != CircuitState.CLOSED
        if probing:
            streak.clear()  # failures from before the circuit opened say nothing any more
        called = False

        def protected() -> T:
            nonlocal called
            called = True
            result = fn()
            streak.clear()
            return result

        def trips(_: Exception) -> bool:
            return probing or streak.failed(self._clock())

        breaker = circuit_breaker(
            name=name,
            persistence_store=self._persistence,
            on_transition=self._log_transition,
            config=_CallConfig(trips, self._config),
        )
        try:
            result: T = breaker(protected)()
        except CircuitBreakerOpenError as exc:
            raise CircuitOpen(
                f"the {provider} circuit is open: {provider} failed repeatedly (for every function "
                f"instance); it is tried again {self._open_seconds} s after it opened"
            ) from exc
        except Exception as exc:
            if called:  # the provider's own error (the breaker's writes never raise)
                raise
            logger.warning(
                "the circuit store failed: calling the provider without its circuit",
                extra={"provider": provider, "error": f"{type(exc).__name__}: {exc}"[:500]},
            )
            return fn()
        return result

    def is_open(self, provider: str) -> bool:
        """Whether a call now would be refused (open, or another caller is probing it): a read, to
        choose a fallback before calling. An open circuit whose time is up is not open: the next
        call probes the provider."""
        record = self._state(circuit_name(provider))
        now = int(self._clock())
        if record.state == CircuitState.OPEN:
            opened_at = record.opened_at if record.opened_at is not None else now
            return now < opened_at + self._open_seconds
        if record.state == CircuitState.HALF_OPEN:
            return record.probe_lease_expiry is None or now < record.probe_lease_expiry
        return False

    def force_open(self, provider: str, seconds: int) -> None:
        """Open the provider's circuit for every instance for ``seconds`` (demos, tests: to show a
        fallback). Then it half-opens like any open circuit."""
        if not 1 <= seconds <= MAX_FORCED_OPEN_SECONDS:
            raise ValueError(f"a circuit is forced open for 1 to {MAX_FORCED_OPEN_SECONDS} seconds")
        name = circuit_name(provider)
        self._persistence.configure(config=self._config, circuit_name=name)
        opened_at = int(self._clock()) + seconds - self._open_seconds  # open until opened_at + open_seconds
        try:
            self._persistence.save_open(name, failure_count=0, opened_at=opened_at)
        except Exception as exc:
            from orchestrator.core.aws_errors import domain_error, is_aws_error

            if is_aws_error(exc):
                raise domain_error(f"open the {provider} circuit", exc) from exc
            raise

    def _state(self, name: str) -> Any:
        """The circuit's record (cached for ``state_cache_seconds``; CLOSED when unreadable)."""
        self._persistence.configure(config=self._config, circuit_name=name)
        return self._persistence.get_state(name)

    def _streak(self, name: str) -> _Streak:
        with self._streaks_lock:
            if name not in self._streaks:
                self._streaks[name] = _Streak(self._threshold, self._window)
            return self._streaks[name]

    @staticmethod
    def _log_transition(transition: CircuitTransition) -> None:
        opened = datetime.fromtimestamp(transition.opened_at).isoformat() if transition.opened_at else None
        logger.warning(
            f"circuit {transition.circuit_name}: {transition.from_state} -> {transition.to_state}",
            extra={
                "circuit": transition.circuit_name,
                "to_state": str(transition.to_state),
                "opened_at": opened,
            },
        )
        if transition.to_state == CircuitState.OPEN:
            from orchestrator.core import operator_metrics

            operator_metrics.circuit_opened(transition.circuit_name.removeprefix("provider#"))
