"""A test local cloud's assembly, made from the one shared synthesis with its own signing key and
ports put in (``synthesize_from_shared``), is the assembly a synthesis of its context writes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.local.assembly import STAMP, CloudAssembly, synthesize
from infra.local.cloud import LocalCloud
from tests.synthesized import (
    PLACEHOLDER_KEY,
    destination_hash,
    placeholder_context,
    shared_assembly,
    synthesize_from_shared,
)

JWKS = json.dumps(
    {
        "keys": [
            {
                "kty": "RSA",
                "kid": "a1b2c3d4e5f60718",
                "use": "sig",
                "alg": "RS256",
                "n": "q" * 342,
                "e": "AQAB",
            }
        ]
    }
)
"""A cloud's key set (fixed, so that the synthesis this is compared with is made once, not in
every session)."""

API_DEPLOYMENT = re.compile(r"ApiRestApiDeployment[0-9A-F]{8}[0-9a-f]{32}")
"""The REST API deployment's logical id ends in a hash of the API's configuration (origins
included); the local cloud deploys no API Gateway resource."""


def cloud_context(state_dir: Path, console_port: int, archive_port: int, model_port: int) -> dict[str, Any]:
    """The context a local cloud synthesizes with: the e2e clouds' options, a model server."""
    context = {
        "archiveFetchAllowedHosts": f"127.0.0.1:{archive_port}",
        "modelProvider": "openai_compatible",
        "openaiBaseUrl": f"http://127.0.0.1:{model_port}/v1",
        "webhookRetrySchedule": "1,2",
    }
    cloud = LocalCloud(state_dir, console_port=console_port, context=context)
    return cloud.synthesis_context() | {"jwtJwks": JWKS}


def _files(assembly: CloudAssembly) -> dict[str, Any]:
    """Every JSON file of the assembly, parsed, with what differs between any two syntheses left
    out (where the CDK's runtime ran: metadata traces) and the hashes named that the API
    deployment's id changes (the template's SHA-256, its destination's); the size of other files."""
    template_hash = hashlib.sha256((assembly.outdir / f"{assembly.stack_name}.template.json").read_bytes())
    files: dict[str, Any] = {}
    for path in sorted(p for p in assembly.outdir.rglob("*") if p.is_file() and p.name != STAMP):
        name = str(path.relative_to(assembly.outdir))
        if path.suffix != ".json":
            files[name] = path.stat().st_size
            continue
        text = path.read_text().replace(template_hash.hexdigest(), "<the template's SHA-256>")
        files[name] = json.loads(API_DEPLOYMENT.sub("ApiRestApiDeployment<hash>", text))
    for entries in files[f"{assembly.stack_name}.metadata.json"].values():
        for entry in entries:
            entry.pop("trace", None)
    assets = json.loads((assembly.outdir / f"{assembly.stack_name}.assets.json").read_text())
    for asset in assets["files"].values():  # each destination named by its hash
        assert all(name.endswith(destination_hash(d)) for name, d in asset["destinations"].items())
    for asset in files[f"{assembly.stack_name}.assets.json"]["files"].values():
        asset["destinations"] = {name.rsplit("-", 1)[0]: d for name, d in asset["destinations"].items()}
    return files


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cloud-assembly")


def test_a_cloud_assembly_from_the_shared_synthesis_is_its_own_synthesis(state_dir: Path) -> None:
    # Given a local cloud's context: its key set, its console's, archive server's and model's ports
    context = cloud_context(state_dir, console_port=41111, archive_port=42222, model_port=43333)
    # When its assembly is made from the shared synthesis with placeholders
    made = synthesize(state_dir / "made", context, run=synthesize_from_shared)
    # Then it is what the synthesis of its context writes (file for file)
    with shared_assembly(context) as synthesized:
        assert _files(made) == _files(synthesized)
    # and its values, not the placeholders, are in the template
    text = json.dumps(made.template)
    assert "127.0.0.1:41111" in text and "127.0.0.1:42222" in text and "127.0.0.1:43333" in text
    assert PLACEHOLDER_KEY not in text and "a1b2c3d4e5f60718" in text


def test_clouds_with_other_keys_and_ports_share_one_synthesis(state_dir: Path) -> None:
    # Given two clouds' contexts that differ in their key sets and ports, the second's ports the
    # very placeholders of the first's
    first = cloud_context(state_dir, console_port=41111, archive_port=42222, model_port=43333)
    second = cloud_context(state_dir, console_port=10002, archive_port=10001, model_port=43333)
    second["jwtJwks"] = JWKS.replace("a1b2c3d4e5f60718", "0f1e2d3c4b5a6978")
    # Then both are made from one placeholder context
    assert placeholder_context(first)[0] == placeholder_context(second)[0]
    # and each cloud's functions are given its own values
    made = synthesize(state_dir / "second", second, run=synthesize_from_shared)
    (api,) = (
        f
        for f in made.resources("AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "handlers.api.handler"
    )
    variables = api["Properties"]["Environment"]["Variables"]
    assert variables["CORS_ALLOWED_ORIGINS"] == "http://127.0.0.1:10002,http://localhost:10002"
    assert variables["FETCH_ALLOWED_HOSTS"] == "127.0.0.1:10001"
    assert variables["JWT_JWKS"] == second["jwtJwks"]
