"""Sample requests for every template, as a client sends them through the HTTP API.

A template's catalog module declares ``DEMO``: a topic and inputs. An input may name a file
shipped in ``samples/`` instead of an upload id: ``{"$upload_file": "samples/transcripts/x.txt"}``
is uploaded as is, ``{"$upload_archive": "samples/repositories/inventory_service"}`` is packed
into a deterministic tar.gz first. Either is sent with ``POST /uploads`` and the presigned PUT,
exactly as a client would, and replaced by the upload id.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from infra.cli.api_client import ApiClient
from orchestrator.templates import catalog as template_catalog

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TOPIC = "A web app that helps families plan weekly meals"


def demo_declaration(template: str) -> dict[str, Any]:
    """The template's sample request (topic and inputs); a template without one gets a topic only."""
    for module in template_catalog.MODULES:
        if module.DECLARATION["name"] == template:
            demo = getattr(module, "DEMO", None)
            return dict(demo) if demo else {"topic": DEFAULT_TOPIC}
    return {"topic": DEFAULT_TOPIC}


def sample_bytes(reference: dict[str, str]) -> tuple[bytes, str, str]:
    """The bytes, file name and content type a ``$upload_*`` reference stands for."""
    if "$upload_file" in reference:
        path = REPO_ROOT / reference["$upload_file"]
        content_type = "text/plain" if path.suffix in (".txt", ".md") else "application/octet-stream"
        return path.read_bytes(), path.name, content_type
    if "$upload_archive" in reference:
        archive = importlib.import_module("orchestrator.ingestion.archive")
        directory = REPO_ROOT / reference["$upload_archive"]
        return archive.build_archive(directory), f"{directory.name}.tar.gz", "application/gzip"
    raise ValueError(f"unknown sample reference {reference}")


def resolve_inputs(api_url: str, token: str, inputs: dict[str, Any]) -> dict[str, Any]:
    client = ApiClient(api_url, token)
    resolved: dict[str, Any] = {}
    for name, value in inputs.items():
        if isinstance(value, dict) and any(key.startswith("$upload_") for key in value):
            resolved[name] = client.upload(*sample_bytes(value))
        else:
            resolved[name] = value
    return resolved


def demo_body(api_url: str, token: str, template: str, topic: str | None = None) -> dict[str, Any]:
    """A ``POST /runs`` body for the template's sample, its uploads done."""
    demo = demo_declaration(template)
    body: dict[str, Any] = {"template": template, "topic": topic or demo["topic"]}
    inputs = demo.get("inputs") or {}
    if inputs:
        body["inputs"] = resolve_inputs(api_url, token, inputs)
    return body
