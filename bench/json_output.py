"""The ``--json [PATH]`` option every benchmark script shares: the results as data, for the harness
(``bench/harness.py``) or another tool. ``--json`` alone prints them on stdout (one JSON document,
after the script's own table unless the script prints nothing else); ``--json PATH`` writes them
to that file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

STDOUT = "-"


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        nargs="?",
        const=STDOUT,
        default=None,
        metavar="PATH",
        help="the results as JSON: on stdout, or written to PATH",
    )


def write_json(destination: str | None, results: Any) -> None:
    """Writes ``results`` where ``--json`` said (nothing without it)."""
    if destination is None:
        return
    text = json.dumps(results, indent=2, default=str) + "\n"
    if destination == STDOUT:
        sys.stdout.write(text)
        return
    path = Path(destination)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def report(destination: str | None, results: Any, render: Callable[[Any], str]) -> None:
    """The script's table (unless ``--json`` alone asked for the JSON on stdout), then the JSON."""
    if destination != STDOUT:
        print(render(results))
    write_json(destination, results)
