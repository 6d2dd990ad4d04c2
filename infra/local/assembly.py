"""The synthesized cloud assembly: synthesize the CDK app and read its template and assets."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
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


SOURCES = ("app.py", "cdk.json", "pyproject.toml", "requirements", "functions", "infra")
"""What the assembly is made from (besides the context): a change to any of them synthesizes anew."""
SYNTHESIZERS = ("aws-cdk-lib", "constructs", "cdk-nag", "jsii")
"""The installed packages that synthesize it: another version of one synthesizes anew."""
STAMP = "synthesized-for.txt"


def sources_and_context(context: dict[str, Any], app_dir: Path = REPO_ROOT) -> str:
    """A digest of the context, of the synthesizing packages' versions and of every source file's
    path, size and modification time."""
    digest = hashlib.sha256(json.dumps(context, sort_keys=True).encode())
    digest.update(sys.executable.encode())
    digest.update(json.dumps(installed_versions(SYNTHESIZERS)).encode())
    for name in SOURCES:
        top = app_dir / name
        files = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(app_dir)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def installed_versions(packages: tuple[str, ...]) -> dict[str, str | None]:
    """Each package's installed version (None when it is not installed)."""
    versions: dict[str, str | None] = {}
    for package in packages:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def synthesize(
    outdir: Path,
    context: dict[str, Any],
    app_dir: Path = REPO_ROOT,
    run: Callable[[Path, dict[str, Any]], None] | None = None,
) -> CloudAssembly:
    """Run ``python app.py`` (what ``cdk synth`` runs) into ``outdir`` with the given context; the
    assembly already there is reused when it was made from the same sources and context (a restart
    of the local cloud on its state directory). ``run(outdir, context)``, if given, synthesizes
    instead of a new ``python app.py`` process (a process that synthesizes often keeps one CDK
    runtime)."""
    key = sources_and_context(context, app_dir)
    stamp = outdir / STAMP
    if stamp.is_file() and stamp.read_text() == key:
        return load_assembly(outdir)
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True, exist_ok=True)
    if run is None:
        _run_app(outdir, context, app_dir)
    else:
        run(outdir, context)
    assembly = load_assembly(outdir)
    stamp.write_text(key)
    return assembly


def _run_app(outdir: Path, context: dict[str, Any], app_dir: Path) -> None:
    """``python app.py`` in a process of its own, writing the assembly into ``outdir``."""
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
