"""The rules' patterns are compiled on first use, behind gates: what every match must contain.

A gate may only spare work: a text it turns away must be one the pattern does not match, so the
verdicts with gates are the verdicts without them. The table of gates is kept current with the rules.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from orchestrator.safety import gate_derivation, gates
from orchestrator.safety.lexicon import check_text
from orchestrator.safety.normalize import normalize

REPO = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("safety_eval", REPO / "bench" / "safety_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["safety_eval"] = module
    spec.loader.exec_module(module)
    return module


KILL_MY_WIFE = {f"{verb} {whose} wife" for verb in ("kill", "kills", "killed") for whose in ("my", "the")}


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        (r"pipe bomb", {"pipe bomb"}),
        (r"kill(?:s|ed)? (?:my|the) wife", KILL_MY_WIFE),
        (r"(?:(?<!\w)|(?=\W))(?:bomb|explosive\w*)", {"bomb", "explosive"}),
        (r"[\w']+ keylogger", {" keylogger"}),
        (r"how (?:to|do i) \w+ (?:a )?(?:gun|rifle)s?", {"how to ", "how do i "}),
        (r"\w+ ?\w*", None),
        (r"(?:bomb|\w+)", None),
    ],
)
def test_what_every_match_contains_is_read_from_the_pattern(pattern: str, needed: set[str] | None) -> None:
    assert gate_derivation.required(re._parser.parse(pattern)) == needed  # type: ignore[attr-defined]


def test_an_alternative_is_cut_at_its_top_level_bars_only() -> None:
    text = r"a|(?:b|c)|[|]|\||d"
    assert [text[i] for i in gate_derivation.top_level(text)] == ["|", "|", "|", "|"]
    assert gate_derivation.top_level(text) == [1, 9, 13, 16]


def test_the_table_of_gates_is_current_with_the_rules() -> None:
    written = json.loads(gates.TABLE.read_text(encoding="utf-8"))
    assert written == gate_derivation.table(), (
        "the rules changed: cd functions && ../.venv/bin/python -m orchestrator.safety.gate_derivation"
    )


def test_a_gate_never_turns_away_a_text_its_piece_matches() -> None:
    # Given texts of every set, harmful ones above all (where the pieces match)
    bench = _bench()
    texts = [c.text for path in bench.SETS.values() for c in bench.load_cases(path) if c.label == "harmful"]
    pieces = [re.compile(source) for source in gates._SOURCES]
    for text in texts[::12]:
        normalized = normalize(text)
        for view in (normalized.folded, normalized.words, *normalized.variants):
            passed = gates.candidates(view)
            # Then every piece that matches the view passed its gate
            matched = {i for i, piece in enumerate(pieces) if piece.search(view)}
            assert matched <= passed, (text, sorted(matched - passed))


def test_the_verdicts_with_gates_are_the_verdicts_without(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = _bench()
    cases = [c for name in ("independent",) for c in bench.load_cases(bench.SETS[name])]
    gated = [[s.category for s in check_text(c.text)] for c in cases]
    every_piece = frozenset(range(len(gates._SOURCES)))
    monkeypatch.setattr(gates, "candidates", lambda view: every_piece)
    monkeypatch.setattr("orchestrator.safety.rules.candidates", lambda view: every_piece)
    assert [[s.category for s in check_text(c.text)] for c in cases] == gated


FIRST_SCREEN = """
import json
from orchestrator.safety import gates
from orchestrator.safety.lexicon import check_text
at_import = len(gates._COMPILED)
check_text("Summarize our Q3 sales report and draft an email to the team")
print(json.dumps([at_import, len(gates._COMPILED), len(gates._SOURCES)]))
"""


def test_a_cold_worker_compiles_only_what_its_first_text_can_match() -> None:
    # Given a fresh interpreter (a cold worker) that imports the rules and screens an everyday text
    ran = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", FIRST_SCREEN],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "functions")},
    )
    at_import, after_first, pieces = json.loads(ran.stdout)
    # Then nothing was compiled at import, and a small share of the pieces for the text
    assert at_import == 0
    assert pieces > 2000 and after_first < pieces / 10
