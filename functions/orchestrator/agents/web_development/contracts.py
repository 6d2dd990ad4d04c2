"""The frontend/backend contract, checked in code, and the backend's OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

from orchestrator.agents.documents import clip
from orchestrator.agents.web_development.schemas import ApiField, BackendDesign, ContractCheck, FrontendDesign


def normal_path(path: str) -> str:
    """``/API/orders/:id/`` and ``/api/orders/{orderId}`` are the same route."""
    path = path.split("?", 1)[0].strip().lower().rstrip("/") or "/"
    return re.sub(r"\{[^}]*\}|:[a-z_][a-z0-9_]*|<[^>]*>", "{}", path)


def contract_checks(frontend: FrontendDesign, backend: BackendDesign) -> list[ContractCheck]:
    """Every API call of every page checked against the backend's endpoints (done in code)."""
    served = {(e.method, normal_path(e.path)): e for e in backend.endpoints}
    paths = {normal_path(e.path) for e in backend.endpoints}
    checks: list[ContractCheck] = []
    for page in frontend.pages:
        for call in page.api_calls:
            endpoint = served.get((call.method, normal_path(call.path)))
            if endpoint is None:
                other = "the path exists with another method" if normal_path(call.path) in paths else ""
                checks.append(
                    ContractCheck(
                        page=page.name,
                        method=call.method,
                        path=call.path,
                        status="missing_endpoint",
                        detail=other or "no backend endpoint serves it",
                    )
                )
                continue
            accepted = {f.name for f in endpoint.request_fields}
            required = {f.name for f in endpoint.request_fields if f.required}
            returned = {f.name for f in endpoint.response_fields}
            problems = []
            if unknown := [name for name in call.sends if name not in accepted]:
                problems.append("sends fields the endpoint does not accept: " + ", ".join(unknown))
            if missing := sorted(required - set(call.sends)):
                problems.append("does not send required fields: " + ", ".join(missing))
            if absent := [name for name in call.expects if name not in returned]:
                problems.append("expects fields the endpoint does not return: " + ", ".join(absent))
            checks.append(
                ContractCheck(
                    page=page.name,
                    method=call.method,
                    path=call.path,
                    status="field_mismatch" if problems else "ok",
                    endpoint=f"{endpoint.method} {endpoint.path}",
                    detail=clip("; ".join(problems), 300),
                )
            )
    return checks[:60]


def unused_endpoints(frontend: FrontendDesign, backend: BackendDesign) -> list[str]:
    called = {(c.method, normal_path(c.path)) for page in frontend.pages for c in page.api_calls}
    return [
        f"{e.method} {e.path}"
        for e in backend.endpoints
        if (e.method, normal_path(e.path)) not in called and not e.path.rstrip("/").endswith("/health")
    ][:30]


# --- the OpenAPI document of the backend ------------------------------------------------------
def _object_schema(fields: list[ApiField]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: {"type": f.type} for f in fields},
    }
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def openapi_document(design: BackendDesign, title: str) -> dict[str, Any]:
    """An OpenAPI 3.1 document of the designed endpoints and entities."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in design.endpoints:
        path = re.sub(r":([A-Za-z_]\w*)", r"{\1}", endpoint.path)
        operation: dict[str, Any] = {
            "summary": endpoint.description,
            "operationId": re.sub(r"[^A-Za-z0-9]+", "_", f"{endpoint.method.lower()}{path}").strip("_"),
            "tags": endpoint.story_ids,
            "responses": {
                "201" if endpoint.method == "POST" else "200": {
                    "description": "success",
                    "content": {"application/json": {"schema": _object_schema(endpoint.response_fields)}},
                },
                "422": {"description": "the request is invalid"},
            },
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"\{([^}]+)\}", path)
        ]
        if parameters:
            operation["parameters"] = parameters
        if endpoint.request_fields and endpoint.method in ("POST", "PUT", "PATCH"):
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _object_schema(endpoint.request_fields)}},
            }
        paths.setdefault(path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": clip(title, 120), "version": "0.1.0", "description": design.summary},
        "paths": paths,
        "components": {"schemas": {entity.name: _object_schema(entity.fields) for entity in design.entities}},
    }
