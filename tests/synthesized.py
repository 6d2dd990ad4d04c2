"""The synthesized template, shared by the infrastructure and integration suites, and the local
clouds' assemblies, shared by the e2e suites."""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from infra.local.assembly import STAMP, CloudAssembly, synthesize
from tests.synthesis_service import synthesize_in_session

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


@contextmanager
def shared_assembly(context: dict[str, Any], folder: dict[str, Any] | None = None) -> Iterator[CloudAssembly]:
    """The assembly of ``context`` in its shared folder (``assembly_dir(folder or context)``), locked
    while the ``with`` block reads it: made by the first process to need it while the others wait
    on the lock, reused while the sources and the context are unchanged."""
    outdir = assembly_dir(context if folder is None else folder)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    with outdir.with_name(outdir.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield synthesize(outdir, context, run=synthesize_in_session)


@cache
def synthesized_template(**context: str) -> dict[str, Any]:
    """Synthesize the app once per context, exactly as `cdk synth` does (cdk-nag included), in the
    session's one CDK runtime (``synthesize_in_session``)."""
    with shared_assembly({"jwtJwks": json.dumps({"keys": []})} | context, folder=context) as assembly:
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


# --- a local cloud's assembly, from one shared synthesis --------------------------------------
# Every local cloud of the tests has its own signing key and its own free ports (the console's
# origins, the archive and model servers it may reach), so no two synthesize the same context. The
# context only carries these values into the template (function variables, the API's cross-origin
# answers): each cloud's assembly is the shared assembly of the same context with placeholders of
# the same length in their place (the template's size is in its metadata), the placeholders then
# replaced by its own values.

PLACEHOLDER_KEY = "placeholder-key-"
"""What a key set's own values (key id, modulus) are replaced with, repeated to their length."""
LOOPBACK_PORT = re.compile(r"\b(127\.0\.0\.1|localhost):(\d+)(?!\d)")
"""A port on this machine; its placeholders are 10001, 10002, ... (1001, ... for 4 digits)."""


def synthesize_from_shared(outdir: Path, context: dict[str, Any]) -> None:
    """A local cloud's ``synthesizer``: writes into ``outdir`` the assembly ``synthesize_here``
    would, made from the shared assembly of ``placeholder_context(context)`` (synthesized once for
    every cloud and session while the sources are unchanged). The one difference from a synthesis
    of ``context`` itself is the logical id of the REST API's deployment, a hash of the API's
    configuration (and so the template's own hash): the local cloud serves the API itself and
    deploys no API Gateway resource."""
    generic, values = placeholder_context(context)
    with shared_assembly(generic) as shared:
        shutil.copytree(shared.outdir, outdir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(STAMP))
        template = outdir / f"{shared.stack_name}.template.json"
        shared_hash = _sha256(shared.outdir / template.name)
    if values:
        _replace_placeholders(outdir, values)
        _rename_template_asset(outdir, shared_hash, _sha256(template))


def _replace_placeholders(outdir: Path, values: dict[str, str]) -> None:
    """Every placeholder in the assembly's files (JSON, written back as the CDK writes it: the
    template indented by 1, byte for byte) replaced by its value, in one pass: a value may look
    like another placeholder. An error if one is left anywhere (the synthesis did more with the
    context's value than copy it)."""
    placeholders = re.compile("|".join(map(re.escape, sorted(values, key=len, reverse=True))))
    # what is left of each placeholder in a file, whether a string holds it or JSON in a string
    markers = {PLACEHOLDER_KEY[:-1] if PLACEHOLDER_KEY in p else p for p in values}
    for path in outdir.glob("*.json"):
        text = path.read_text()
        if any(marker in text for marker in markers):
            second_line = text.split("\n", 2)[1] if "\n" in text else ""
            indent = (len(second_line) - len(second_line.lstrip(" "))) or None
            parsed = _replaced(json.loads(text), placeholders, values)
            path.write_text(json.dumps(parsed, indent=indent, ensure_ascii=False))
    unreplaced = {marker for marker in markers if not any(marker in real for real in values.values())}
    for path in (p for p in outdir.rglob("*") if p.is_file()):
        content = path.read_bytes()
        if left := sorted(m for m in unreplaced if m.encode() in content):
            raise RuntimeError(
                f"{path}: {left} left after the placeholders were replaced: the synthesis does "
                "more with a context value than copy it (synthesize_here this context instead)"
            )


def _rename_template_asset(outdir: Path, old: str, new: str) -> None:
    """The template is an asset of the assembly too, named by its SHA-256 (assets and manifest), its
    destination by a hash of where it goes (the object named by the SHA-256), as the CDK names them."""
    manifest = outdir / "manifest.json"
    manifest.write_text(manifest.read_text().replace(old, new))
    for path in outdir.glob("*.assets.json"):
        assets = json.loads(path.read_text().replace(old, new))
        if new in assets["files"]:
            destinations = assets["files"][new]["destinations"]
            assets["files"][new]["destinations"] = {
                f"{name.rsplit('-', 1)[0]}-{destination_hash(destination)}": destination
                for name, destination in destinations.items()
            }
        path.write_text(json.dumps(assets, indent=2, ensure_ascii=False))


def destination_hash(destination: dict[str, Any]) -> str:
    """The end of an asset destination's name: the start of the SHA-256 of its JSON (compact)."""
    text = json.dumps(destination, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def placeholder_context(context: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``context`` with its key set's own values and its loopback ports replaced by placeholders of
    the same length, and what to replace each placeholder with."""
    values: dict[str, str] = {}
    ports: dict[str, str] = {}

    def port(match: re.Match[str]) -> str:
        host, number = match.groups()
        if number not in ports:
            same_length = [p for p in ports.values() if len(p) == len(number)]
            ports[number] = str(10 ** (len(number) - 1) + len(same_length) + 1)
        values[f"{host}:{ports[number]}"] = f"{host}:{number}"
        return f"{host}:{ports[number]}"

    generic: dict[str, Any] = {}
    for key, value in context.items():
        if key == "jwtJwks" and isinstance(value, str):
            generic[key] = _placeholder_key_set(value)
            if generic[key] != value:
                values[generic[key]] = value
        else:
            generic[key] = LOOPBACK_PORT.sub(port, value) if isinstance(value, str) else value
    return generic, values


def _placeholder_key_set(jwks: str) -> str:
    """The key set (JSON) with each key's id and modulus replaced by ``PLACEHOLDER_KEY`` repeated
    to their length (a key set the synthesis only copies)."""
    try:
        keys = json.loads(jwks).get("keys") or []
    except (ValueError, AttributeError):
        return jwks
    for key in keys:
        for field in ("kid", "n"):
            if isinstance(key, dict) and isinstance(key.get(field), str):
                own = key[field]
                filler = (PLACEHOLDER_KEY * (len(own) // len(PLACEHOLDER_KEY) + 1))[: len(own)]
                jwks = jwks.replace(json.dumps(own), json.dumps(filler))
    return jwks


def _replaced(value: Any, placeholders: re.Pattern[str], values: dict[str, str]) -> Any:
    """``value`` (parsed JSON) with every placeholder in its strings replaced by its value (in one
    pass: a value may look like another placeholder)."""
    if isinstance(value, str):
        return placeholders.sub(lambda match: values[match.group()], value)
    if isinstance(value, dict):
        return {
            _replaced(k, placeholders, values): _replaced(v, placeholders, values) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_replaced(v, placeholders, values) for v in value]
    return value


def workspace_bucket_id(template: dict[str, Any]) -> str:
    """The logical id of the tenants' workspace bucket (the stack has an access-log bucket too)."""
    (logical_id,) = (
        lid for lid in resources_of_type(template, "AWS::S3::Bucket") if lid.startswith("WorkspaceBucket")
    )
    return logical_id


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == resource_type}
