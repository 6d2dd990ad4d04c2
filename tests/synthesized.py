"""The synthesized template, shared by the infrastructure and integration suites."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from infra.local.assembly import synthesize

ASSEMBLY_DIR = Path(__file__).resolve().parents[1] / ".local-cloud" / "test-assembly"


@cache
def synthesized_template(**context: str) -> dict[str, Any]:
    """Synthesize the app once per context, exactly as `cdk synth` does (cdk-nag included)."""
    folder = ASSEMBLY_DIR
    if context:  # one folder per context, named the same in every session
        digest = hashlib.sha256(json.dumps(context, sort_keys=True).encode()).hexdigest()[:12]
        folder = ASSEMBLY_DIR.with_name(f"test-assembly-{digest}")
    assembly = synthesize(folder, {"jwtJwks": json.dumps({"keys": []})} | context)
    return assembly.template


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == resource_type}
