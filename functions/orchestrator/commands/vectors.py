"""Storing a run's vectors as an undoable command.

``index_vectors`` reads the vectors an earlier step computed (a JSON file in the run's own data,
never in a state payload or the command log), creates the run's collection (one vector index per
tenant and run) and puts them. The collection belongs to the run, so undo deletes the whole index:
that removes every vector the command may have written, whether it completed or failed halfway,
and is safe to repeat.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field

from orchestrator.commands.base import Command, CommandContext
from orchestrator.core.records import CommandRecord
from orchestrator.core.vectors import DistanceMetric, VectorRecord


class IndexVectors(Command):
    kind: Literal["index_vectors"] = "index_vectors"
    collection: str = Field(min_length=1, max_length=200, description="the collection (the run's id)")
    vectors_key: str = Field(min_length=1, max_length=1024, description="workspace key of the vectors JSON")
    dimension: int = Field(ge=1, le=4096)
    distance_metric: DistanceMetric = "cosine"

    def execute(self, context: CommandContext) -> dict[str, Any]:
        if not self.vectors_key.startswith(f"{context.tenant_id}/"):
            raise ValueError(f"vectors {self.vectors_key} are not the tenant's")
        store = context.require_vectors()
        records = [
            VectorRecord.model_validate(v) for v in json.loads(context.workspace.get(self.vectors_key))
        ]
        store.ensure_index(context.tenant_id, self.collection, self.dimension, self.distance_metric)
        store.put(context.tenant_id, self.collection, records)
        return {
            "index": store.index_name(context.tenant_id, self.collection),
            "vectors": len(records),
            "dimension": self.dimension,
        }

    @classmethod
    def undo(cls, record: CommandRecord, context: CommandContext) -> dict[str, Any]:
        store = context.require_vectors()
        collection = str(record.params["collection"])
        store.delete_index(record.tenant_id, collection)
        return {"deleted_index": store.index_name(record.tenant_id, collection)}
