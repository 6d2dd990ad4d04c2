"""Peak memory of the ``repo_ingestion`` data creator's work on the largest archive it accepts.

``bench/step_overhead.py`` measures the agents of a ``generic`` run; the data creator holds a whole
repository archive instead: the archive's bytes (at most 20 MiB compressed), its text files (at most
50 MiB unpacked, 5,000 files, 1 MiB each) as models, and the JSON bundle it writes to the workspace.
This script builds a tar.gz at those limits (Python-like text that compresses as source code does),
then, in a fresh interpreter with the agent function's handler imported as at a cold start, does what
the agent does with it (``read_archive``, ``model_dump`` of every file, ``json.dumps`` of the bundle)
and reports the peak resident memory (``VmHWM``) after the import and after the work, against the
``run_agent`` memory size.

    .venv/bin/python bench/archive_memory.py [--megabytes 50] [--files 5000] [--json [PATH]]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from json_output import add_json_argument, write_json  # noqa: E402

from orchestrator.core.memory_sizes import MEMORY_MB  # noqa: E402

_CHILD = """
import json, sys
from pathlib import Path

def peak_mib():
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

import handlers.run_agent  # the agent function's cold start
after_import = peak_mib()
from orchestrator.ingestion.archive import read_archive
from orchestrator.agents.repo_ingestion.schemas import MAX_ARCHIVE_BYTES
data = Path(sys.argv[1]).read_bytes()
archive = read_archive(data, max_compressed_bytes=MAX_ARCHIVE_BYTES)
bundle = json.dumps([f.model_dump() for f in archive.files]).encode()
print(json.dumps({
    "after_import_mib": round(after_import, 1),
    "after_work_mib": round(peak_mib(), 1),
    "archive_bytes": len(data),
    "files": len(archive.files),
    "unpacked_bytes": sum(f.size for f in archive.files),
    "bundle_bytes": len(bundle),
}))
"""


def worst_archive(megabytes: int, files: int) -> bytes:
    """A tar.gz of ``files`` Python-like text files, ``megabytes`` MiB unpacked in all."""
    size = megabytes * 1024 * 1024 // files
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for index in range(files):
            lines, total = [], 0
            while total < size:
                line = (
                    f"def handler_{index}_{total}(event, context):  # step {total % 97}\n    return {total}\n"
                )
                lines.append(line)
                total += len(line)
            body = "".join(lines)[:size].encode()
            info = tarfile.TarInfo(f"repo/pkg_{index % 50}/module_{index}.py")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def measure(megabytes: int, files: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".tar.gz") as archive:
        archive.write(worst_archive(megabytes, files))
        archive.flush()
        env = {"PYTHONPATH": str(REPO / "functions"), "POWERTOOLS_TRACE_DISABLED": "1"}
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, archive.name], capture_output=True, text=True, env=env, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"the measurement failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["memory_mb"] = MEMORY_MB["run_agent"]
    result["holds_peak_twice"] = result["after_work_mib"] * 2 <= result["memory_mb"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=50, help="MiB unpacked (the reader's limit: 50)")
    parser.add_argument("--files", type=int, default=5000, help="files (the reader's limit: 5,000)")
    add_json_argument(parser)
    args = parser.parse_args()
    result = measure(args.megabytes, args.files)
    if args.json != "-":
        mib = {key: result[key] / 2**20 for key in ("archive_bytes", "unpacked_bytes", "bundle_bytes")}
        held = "held" if result["holds_peak_twice"] else "NOT held"
        print(
            f"archive {mib['archive_bytes']:.1f} MiB compressed, {result['files']} files, "
            f"{mib['unpacked_bytes']:.1f} MiB unpacked, bundle {mib['bundle_bytes']:.1f} MiB\n"
            f"peak after the import {result['after_import_mib']} MiB, "
            f"after the work {result['after_work_mib']} MiB; "
            f"run_agent has {result['memory_mb']} MB (twice the peak: {held})"
        )
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
