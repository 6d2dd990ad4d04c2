"""What the ``orchestrator`` command prints: its answers on stdout (flushed), notes on stderr."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


class UsageError(Exception):
    """A request the command refuses before doing anything: one line on stderr, exit code 2."""


def say(text: str = "") -> None:
    print(text, flush=True)


def note(text: str) -> None:
    print(text, file=sys.stderr)


def state_dir(args: argparse.Namespace) -> Path:
    """``--state-dir``, else the local cloud's default folder (``.local-cloud``)."""
    from infra.local.assembly import REPO_ROOT

    return Path(args.state_dir) if args.state_dir else REPO_ROOT / ".local-cloud"
