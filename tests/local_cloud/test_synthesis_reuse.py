"""A restart of the local cloud on its state directory reuses the assembly made from the same
sources and context, and synthesizes anew when either changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from infra.local import assembly
from infra.local.assembly import synthesize

APP = """
import json, os, pathlib
out = pathlib.Path(os.environ["CDK_OUTDIR"])
runs = pathlib.Path(__file__).with_name("runs.txt")
runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
(out / "manifest.json").write_text(json.dumps({"artifacts": {"S": {"type": "aws:cloudformation:stack"}}}))
(out / "S.template.json").write_text(json.dumps({"Resources": {}, "Context": os.environ["CDK_CONTEXT_JSON"]}))
(out / "S.assets.json").write_text(json.dumps({"files": {}}))
"""


def _app(tmp_path: Path) -> Path:
    app_dir = tmp_path / "app"
    (app_dir / "functions").mkdir(parents=True)
    (app_dir / "app.py").write_text(APP)
    (app_dir / "functions" / "handler.py").write_text("x = 1\n")
    return app_dir


def _runs(app_dir: Path) -> int:
    return len((app_dir / "runs.txt").read_text())


def test_the_same_sources_and_context_reuse_the_assembly(tmp_path: Path) -> None:
    app_dir, outdir = _app(tmp_path), tmp_path / "cdk.out"
    first = synthesize(outdir, {"k": "v"}, app_dir)
    again = synthesize(outdir, {"k": "v"}, app_dir)
    assert _runs(app_dir) == 1 and again.template == first.template


def test_another_context_or_a_changed_source_synthesizes_anew(tmp_path: Path) -> None:
    app_dir, outdir = _app(tmp_path), tmp_path / "cdk.out"
    synthesize(outdir, {"k": "v"}, app_dir)
    other = synthesize(outdir, {"k": "w"}, app_dir)
    assert _runs(app_dir) == 2 and json.loads(other.template["Context"]) == {"k": "w"}
    source = app_dir / "functions" / "handler.py"
    source.write_text("x = 2\n")
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000_000))
    synthesize(outdir, {"k": "w"}, app_dir)
    assert _runs(app_dir) == 3


def test_another_version_of_a_synthesizing_package_synthesizes_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_dir, outdir = _app(tmp_path), tmp_path / "cdk.out"
    synthesize(outdir, {"k": "v"}, app_dir)
    # Given the same sources and context, When the installed aws-cdk-lib is another version
    installed = assembly.installed_versions(assembly.SYNTHESIZERS)
    upgraded = installed | {"aws-cdk-lib": "9.9.9"}
    monkeypatch.setattr(assembly, "installed_versions", lambda packages: upgraded)
    synthesize(outdir, {"k": "v"}, app_dir)
    # Then the assembly is made again (and reused while that version stays)
    synthesize(outdir, {"k": "v"}, app_dir)
    assert _runs(app_dir) == 2
