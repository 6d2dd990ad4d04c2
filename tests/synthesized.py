"""The synthesized template, shared by the infrastructure and integration suites."""

from __future__ import annotations

import fcntl
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from infra.local.assembly import synthesize

# One folder per context, shared by the parallel test processes (pytest-xdist): the first to need a
# context synthesizes it under a lock, the others wait and reuse it (as a restart of the local cloud
# does: same sources, same context), and so does the next session while the sources are unchanged.
ASSEMBLY_DIR = Path(__file__).resolve().parents[1] / ".local-cloud" / "test-assembly"


def assembly_dir(context: dict[str, str]) -> Path:
    """Where ``synthesized_template(**context)`` writes its assembly: one folder per context, named
    the same in every session."""
    if not context:
        return ASSEMBLY_DIR
    digest = hashlib.sha256(json.dumps(context, sort_keys=True).encode()).hexdigest()[:12]
    return ASSEMBLY_DIR.with_name(f"{ASSEMBLY_DIR.name}-{digest}")


@cache
def synthesized_template(**context: str) -> dict[str, Any]:
    """Synthesize the app once per context, exactly as `cdk synth` does (cdk-nag included), in this
    process (``synthesize_here``)."""
    outdir = assembly_dir(context)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    with outdir.with_name(outdir.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        assembly = synthesize(outdir, {"jwtJwks": json.dumps({"keys": []})} | context, run=synthesize_here)
    return assembly.template


def synthesize_here(outdir: Path, context: dict[str, Any]) -> None:
    """What ``python app.py`` does (``build_app``, cdk-nag included), in this test process: its
    first synthesis starts the CDK's JavaScript runtime (~10 s of CPU, most of a synthesis), the
    next ones reuse it (~3 s each) instead of each starting its own in a new ``app.py`` process."""
    from aws_cdk import App, AssetStaging

    from infra.cdk.app_factory import build_app

    AssetStaging.clear_asset_hash_cache()  # the process remembers what it staged: stage anew
    app, _ = build_app(App(outdir=str(outdir), context=context))
    app.synth()


def workspace_bucket_id(template: dict[str, Any]) -> str:
    """The logical id of the tenants' workspace bucket (the stack has an access-log bucket too)."""
    (logical_id,) = (
        lid for lid in resources_of_type(template, "AWS::S3::Bucket") if lid.startswith("WorkspaceBucket")
    )
    return logical_id


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == resource_type}
