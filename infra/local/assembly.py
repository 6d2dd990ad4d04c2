"""The synthesized cloud assembly: synthesize the CDK app and read its template and assets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CloudAssembly:
    outdir: Path
    stack_name: str
    template: dict[str, Any]
    asset_paths: dict[str, Path]  # object key (e.g. "<hash>.zip") -> staged source folder

    def resources(self, resource_type: str | None = None) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.template["Resources"].items()
            if resource_type is None or resource["Type"] == resource_type
        }


def synthesize(outdir: Path, context: dict[str, Any], app_dir: Path = REPO_ROOT) -> CloudAssembly:
    """Run ``python app.py`` (what ``cdk synth`` runs) into ``outdir`` with the given context."""
    outdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["CDK_OUTDIR"] = str(outdir)
    env["CDK_CONTEXT_JSON"] = json.dumps(context)
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")
    result = subprocess.run(  # noqa: S603 - our own app with our interpreter
        [sys.executable, str(app_dir / "app.py")],
        cwd=app_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"synthesis failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return load_assembly(outdir)


def load_assembly(outdir: Path) -> CloudAssembly:
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = [
        name
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    ]
    if len(stacks) != 1:
        raise RuntimeError(f"expected one stack in the assembly, found {stacks}")
    stack_name = stacks[0]
    template = json.loads((outdir / f"{stack_name}.template.json").read_text())
    assets = json.loads((outdir / f"{stack_name}.assets.json").read_text())
    asset_paths: dict[str, Path] = {}
    for asset in assets.get("files", {}).values():
        for destination in asset["destinations"].values():
            asset_paths[destination["objectKey"]] = outdir / asset["source"]["path"]
    return CloudAssembly(outdir=outdir, stack_name=stack_name, template=template, asset_paths=asset_paths)
