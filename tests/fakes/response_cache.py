"""An in-memory ``ResponseCache`` behaving like ``DynamoResponseCache``: the same keys, checks,
size limit, expiry on read and generation counters (contract-tested against moto in
tests/integration/test_response_cache_dynamodb.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from orchestrator.adapters.dynamodb_response_cache import (
    ANSWER_PREFIX,
    GENERATION_PREFIX,
    MAX_ANSWER_BYTES,
    _check_key,
)
from orchestrator.core.records import validate_tenant_id
from orchestrator.llm.response_cache import CachedAnswer, check_agent, check_prompt_version, generation_of


class InMemoryResponseCache:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.answers: dict[tuple[str, str], tuple[str, int]] = {}  # (tenant, sk) -> (json, expires at)
        self.counters: dict[tuple[str, str], int] = {}
        self.skipped: list[int] = []  # sizes of answers too large to cache

    def get(self, tenant_id: str, key: str) -> CachedAnswer | None:
        stored = self.answers.get((validate_tenant_id(tenant_id), ANSWER_PREFIX + _check_key(key)))
        if stored is None or stored[1] <= int(self.clock()):
            return None
        return CachedAnswer.model_validate_json(stored[0])

    def put(self, tenant_id: str, key: str, answer: CachedAnswer, ttl_seconds: int) -> None:
        item_key = (validate_tenant_id(tenant_id), ANSWER_PREFIX + _check_key(key))
        if ttl_seconds <= 0:
            return
        body = answer.model_dump_json()
        if len(body.encode("utf-8")) > MAX_ANSWER_BYTES:
            self.skipped.append(len(body.encode("utf-8")))
            return
        self.answers[item_key] = (body, int(self.clock()) + int(ttl_seconds))

    def generation(self, tenant_id: str, agent: str, prompt_version: str) -> str:
        tenant = validate_tenant_id(tenant_id)
        agent_key = GENERATION_PREFIX + check_agent(agent)
        version_key = f"{agent_key}#{check_prompt_version(prompt_version)}"
        return generation_of(
            self.counters.get((tenant, agent_key), 0), self.counters.get((tenant, version_key), 0)
        )

    def invalidate(self, tenant_id: str, agent: str, prompt_version: str | None) -> str:
        tenant = validate_tenant_id(tenant_id)
        agent_key = GENERATION_PREFIX + check_agent(agent)
        if prompt_version is None:
            self.counters[(tenant, agent_key)] = self.counters.get((tenant, agent_key), 0) + 1
            return f"a{self.counters[(tenant, agent_key)]}"
        version_key = f"{agent_key}#{check_prompt_version(prompt_version)}"
        self.counters[(tenant, version_key)] = self.counters.get((tenant, version_key), 0) + 1
        return generation_of(self.counters.get((tenant, agent_key), 0), self.counters[(tenant, version_key)])
