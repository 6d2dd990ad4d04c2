#!/usr/bin/env python3
"""CDK entry point: `cdk synth` / `cdk deploy` (or `python app.py` to write the assembly)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
for path in (ROOT, ROOT / "functions"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")

from infra.cdk.app_factory import build_app  # noqa: E402

app, _stack = build_app()
app.synth()
