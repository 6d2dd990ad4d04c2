"""``/collections/{run_id}/search``: the top chunks of a repository-ingestion run for a query."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from orchestrator.api.request_context import current_container
from orchestrator.api.route_table import route
from orchestrator.api.schemas import READ_ERRORS
from orchestrator.api.security import current_caller
from orchestrator.core.errors import CollectionNotFound, RunNotFound
from orchestrator.core.ids import is_run_id
from orchestrator.ingestion.collection_search import SearchAnswer, SearchRequest, search_collection

router = Router()


@route(
    router,
    "POST",
    "/collections/<run_id>/search",
    role="viewer",
    answer=(HTTPStatus.OK, SearchAnswer),
    statuses=(
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.CONFLICT,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        HTTPStatus.UNPROCESSABLE_ENTITY,
    ),
    errors=READ_ERRORS,
    action="search_collection",
)
def search(run_id: str, request: SearchRequest) -> dict[str, Any]:
    """The ``top_k`` chunks of the run's repository nearest to the query, with scores and source paths.
    Only the tenant that ran the ingestion can search it; viewers may search."""
    if not is_run_id(run_id):
        raise RunNotFound(f"no run {run_id!r}")
    container = current_container()
    vectors = container.vectors_if_configured
    if vectors is None:  # deployed without vector storage: no run of it has a collection
        raise CollectionNotFound(f"run {run_id} has no collection: this deployment stores no vectors")
    answer = search_collection(
        tenant_id=current_caller().tenant_id,
        run_id=run_id,
        request=request,
        runs=container.runs,
        results=container.step_results,
        vectors=vectors,
        provider_factory=container.provider,
    )
    return answer.model_dump(mode="json")
