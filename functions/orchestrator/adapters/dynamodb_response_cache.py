"""The model response cache in DynamoDB (the ModelCache table).

Items of one tenant share its partition:

* ``pk = <tenant>``, ``sk = answer#<cache key>``: one cached answer, its JSON in ``answer`` (a
  string: answers can be a few hundred KB, and a string is stored as given), expiring through
  the TTL attribute. DynamoDB deletes expired items lazily, so expiry is checked on read too.
* ``pk = <tenant>``, ``sk = generation#<agent>``: the agent's invalidation counter.
* ``pk = <tenant>``, ``sk = generation#<agent>#<prompt version>``: that version's counter.

The counters never expire: one that vanished would restart at 0 and bring answers of an old
generation back. Invalidating bumps a counter (UpdateItem ADD); nothing is scanned or deleted.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from orchestrator.adapters.dynamodb_table import conditional_update, domain_errors, open_table
from orchestrator.core.constants import PK, SERVICE_NAME, SK, TTL_ATTRIBUTE
from orchestrator.core.errors import InvalidRequest
from orchestrator.core.records import validate_tenant_id
from orchestrator.llm.response_cache import CachedAnswer, check_agent, check_prompt_version, generation_of

logger = Logger(service=SERVICE_NAME, child=True)  # logs through the function's logger, once it exists

MAX_ANSWER_BYTES = 350_000
"""Larger answers are not cached: an item holds at most 400 KB, keys and attributes included."""

ANSWER_PREFIX = "answer#"
GENERATION_PREFIX = "generation#"
_KEY = re.compile(r"^[0-9a-f]{64}$")


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidRequest("a response cache key is 64 lowercase hex digits (response_cache.cache_key)")
    return key


class DynamoResponseCache:
    """``ResponseCache`` on the ModelCache table (layout in the module docstring)."""

    def __init__(
        self, table_name: str, resource: Any | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._table = open_table(table_name, resource)
        self._clock = clock

    def get(self, tenant_id: str, key: str) -> CachedAnswer | None:
        item_key = {PK: validate_tenant_id(tenant_id), SK: ANSWER_PREFIX + _check_key(key)}
        with domain_errors("read cached answer"):
            item = self._table.get_item(Key=item_key).get("Item")
        if item is None:
            return None
        expires_at = item.get(TTL_ATTRIBUTE)
        if expires_at is None or int(expires_at) <= int(self._clock()):  # expired, not yet deleted
            return None
        try:
            return CachedAnswer.model_validate_json(str(item["answer"]))
        except (KeyError, ValidationError):
            logger.warning("a cached answer is unreadable: treated as a miss", extra={"cache_key": key})
            return None

    def put(self, tenant_id: str, key: str, answer: CachedAnswer, ttl_seconds: int) -> None:
        item_key = {PK: validate_tenant_id(tenant_id), SK: ANSWER_PREFIX + _check_key(key)}
        if ttl_seconds <= 0:
            return
        body = answer.model_dump_json()
        size = len(body.encode("utf-8"))
        if size > MAX_ANSWER_BYTES:
            logger.info(
                "answer too large to cache: not cached",
                extra={"answer_bytes": size, "limit_bytes": MAX_ANSWER_BYTES, "agent": answer.agent},
            )
            return
        item = item_key | {
            "answer": body,
            "agent": answer.agent,
            "prompt_version": answer.prompt_version,
            TTL_ATTRIBUTE: int(self._clock()) + int(ttl_seconds),
        }
        with domain_errors("cache answer"):
            self._table.put_item(Item=item)

    def generation(self, tenant_id: str, agent: str, prompt_version: str) -> str:
        """Both counters in one strongly consistent Query: the agent's sorts first, its version's
        last of the range (the counters of the agent's versions between are passed over)."""
        partition = validate_tenant_id(tenant_id)
        agent_key = GENERATION_PREFIX + check_agent(agent)
        version_key = f"{agent_key}#{check_prompt_version(prompt_version)}"
        counters = {agent_key: 0, version_key: 0}
        arguments: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :agent AND :version",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {":pk": partition, ":agent": agent_key, ":version": version_key},
            "ConsistentRead": True,  # an answer cached just before an invalidation is not served after it
        }
        while True:
            with domain_errors("read response cache generation"):
                page = self._table.query(**arguments)
            for item in page.get("Items", []):
                if item[SK] in counters and "counter" in item:
                    counters[str(item[SK])] = int(item["counter"])
            if "LastEvaluatedKey" not in page:
                return generation_of(counters[agent_key], counters[version_key])
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def invalidate(self, tenant_id: str, agent: str, prompt_version: str | None) -> str:
        partition = validate_tenant_id(tenant_id)
        agent_key = GENERATION_PREFIX + check_agent(agent)
        if prompt_version is None:
            return f"a{self._bump(partition, agent_key)}"
        version_key = f"{agent_key}#{check_prompt_version(prompt_version)}"
        version_counter = self._bump(partition, version_key)
        return generation_of(self._counter(partition, agent_key), version_counter)

    def _counter(self, partition: str, sort_key: str) -> int:
        # strongly consistent: an answer cached just before an invalidation is not served after it
        with domain_errors("read response cache generation"):
            item = self._table.get_item(Key={PK: partition, SK: sort_key}, ConsistentRead=True).get("Item")
        return int(item["counter"]) if item and "counter" in item else 0

    def _bump(self, partition: str, sort_key: str) -> int:
        attributes = conditional_update(
            self._table,
            {PK: partition, SK: sort_key},
            action="invalidate response cache",
            add={"counter": 1},
            condition=None,
            returns="UPDATED_NEW",
        )
        return int(attributes["counter"])
