"""What a text must contain for a rule's pattern to match it: a gate checked before the pattern is
compiled or run.

Compiling the rules' patterns was most of what the safety layer cost a cold worker (regular
expressions of some 180,000 characters, compiled at import). But most of a rule's alternatives
cannot match most texts: "pipe bomb" needs "bomb" in the text. So each alternative of a rule (a
**piece**: a signal's pattern cut at its top-level ``|``) has a **gate**, a set of short strings (up
to ``GRAM`` characters) at least one of which every text it matches contains. A piece whose gate a
text misses is neither compiled nor run for it; a piece is compiled the first time a text passes its
gate. A worker's first screen compiles what that text can match, not the whole rule set.

The gates are derived from the pieces by reading their syntax (``gate_derivation``: a literal run
every match spells, the alternatives of a group each with its own, the forms of a verb). Deriving
them costs as much as compiling, so it is done when the rules change and kept in
``gate_table.json``, keyed by a digest of each alternative's text (where it is cut, each piece's
gate):

    cd functions && ../.venv/bin/python -m orchestrator.safety.gate_derivation

An alternative missing from the table (a rule changed, the table not rewritten) is one piece without
a gate: compiled at first use and run on every text, as all were before; slower, never wrong. Tests
check that the table covers every alternative and that no gate turns a match away.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

GRAM = 4
"""The longest string of a gate: a text's substrings up to this length are what gates are checked against."""
TABLE = Path(__file__).with_name("gate_table.json")

_TABLE: dict[str, list[list[object]]] = (
    json.loads(TABLE.read_text(encoding="utf-8")) if TABLE.exists() else {}
)
_SOURCES: list[str] = []
_BY_GRAM: dict[str, list[int]] = {}
_UNGATED: set[int] = set()
_COMPILED: dict[int, re.Pattern[str]] = {}


def digest(source: str) -> str:
    return hashlib.blake2b(source.encode(), digest_size=8).hexdigest()


def register(alternatives: tuple[str, ...], wrap: Callable[[str], str]) -> frozenset[int]:
    """Ids for the pieces of ``alternatives`` (each made a pattern by ``wrap``), each filed under its
    gate's strings, or as ungated."""
    ids = []
    for alternative in alternatives:
        cuts, gates = _TABLE.get(digest(alternative), ([], [None]))
        bounds: list[int] = [-1, *cuts, len(alternative)]  # type: ignore[list-item]
        for index, grams in enumerate(gates):
            piece = len(_SOURCES)
            _SOURCES.append(wrap(alternative[bounds[index] + 1 : bounds[index + 1]]))
            if grams is None:
                _UNGATED.add(piece)
            for gram in grams or ():  # type: ignore[attr-defined]
                _BY_GRAM.setdefault(gram, []).append(piece)
            ids.append(piece)
    candidates.cache_clear()
    return frozenset(ids)


@lru_cache(maxsize=16)
def candidates(view: str) -> frozenset[int]:
    """The pieces whose gate ``view`` passes (every ungated one too)."""
    found = set(_UNGATED)
    for gram in {view[i : i + n] for n in range(1, GRAM + 1) for i in range(len(view) - n + 1)}:
        found.update(_BY_GRAM.get(gram, ()))
    return frozenset(found)


def search(piece: int, view: str) -> bool:
    pattern = _COMPILED.get(piece)
    if pattern is None:
        pattern = _COMPILED[piece] = re.compile(_SOURCES[piece])
    return pattern.search(view) is not None
