"""What the safety rules refuse in technical text: the repository's own string literals and the
docstring paragraphs of the installed libraries the product uses (Powertools, pydantic, moto, boto3,
botocore, the model SDKs). None of it is harmful, so every refusal is a false positive on the kind
of text a run's inputs carry (code, API docs, logs).

    .venv/bin/python bench/safety_technical_text.py [--json PATH] [--baseline PATH]

The code layer is measured: the rules, and the learned model on what they let through
(``--rules-only``: the rules alone). The model was trained on these texts (those of three words
or more, ``safety_training_technical.jsonl``); ``safety_train.py --cv`` says what it refuses of
them when it has not seen them.

It prints how many texts it read and every refused one (its source, the categories, the text cut
short); ``--json PATH`` writes them, ``--baseline PATH`` (an earlier ``--json`` file) also prints
the refusals that are new since then, so a change to the rules can be checked to refuse nothing
more of it than before.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "functions")]

from orchestrator.safety.lexicon import check_text  # noqa: E402
from orchestrator.safety.screen import code_findings  # noqa: E402

OWN_CODE = ("functions", "infra", "bench", "app.py")
LIBRARIES = ("aws_lambda_powertools", "pydantic", "moto", "boto3", "botocore", "anthropic", "openai")
LIBRARY_PARAGRAPHS = 6000
"""Paragraphs read from the libraries' docstrings (the first ones, in a stable file order)."""
SAFETY_CODE = REPO / "functions" / "orchestrator" / "safety"


def _python_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    yield from sorted(p for p in root.rglob("*.py") if ".venv" not in p.parts)


def repository_literals() -> Iterator[tuple[str, str]]:
    """Every string literal of the product's own code (the safety rules' patterns left out)."""
    for part in OWN_CODE:
        for path in _python_files(REPO / part):
            if SAFETY_CODE in path.parents or path.name.startswith("safety_"):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
                    yield f"{path.relative_to(REPO)}:{node.lineno}", node.value


def library_paragraphs(limit: int = LIBRARY_PARAGRAPHS) -> Iterator[tuple[str, str]]:
    """Docstring paragraphs of the installed libraries, about as many from each."""
    per_library = limit // len(LIBRARIES)
    for library in LIBRARIES:
        spec = importlib.util.find_spec(library)
        if spec is None or not spec.submodule_search_locations:
            continue
        count = 0
        for path in _python_files(Path(next(iter(spec.submodule_search_locations)))):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError):
                continue
            for node in ast.walk(tree):
                if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                doc = ast.get_docstring(node) or ""
                for paragraph in (p.strip() for p in doc.split("\n\n")):
                    if len(paragraph) >= 20 and count < per_library:
                        count += 1
                        yield f"{library}:{path.name}", paragraph
            if count >= per_library:
                break


def refusals(rules_only: bool = False) -> dict[str, object]:
    """The texts the code layer refuses: the rules and the learned model, or the rules alone."""
    refused, read = [], 0
    for source, text in (*repository_literals(), *library_paragraphs()):
        read += 1
        if rules_only:
            categories = [s.category.value for s in check_text(text)]
        else:
            categories = list(dict.fromkeys(f.category.value for f in code_findings("text", text)))
        if categories:
            refused.append({"source": source, "categories": categories, "text": text[:160]})
    return {"texts": read, "refused": refused}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", metavar="PATH", help="write the refusals as JSON to PATH")
    parser.add_argument(
        "--baseline", metavar="PATH", help="an earlier --json file: print what is newly refused"
    )
    parser.add_argument(
        "--rules-only", action="store_true", help="the rules alone, without the learned model"
    )
    args = parser.parse_args(argv)
    result = refusals(args.rules_only)
    refused = result["refused"]
    assert isinstance(refused, list)
    print(f"{result['texts']} technical texts read, {len(refused)} refused")
    for row in refused:
        print(f"  {row['source']}: {','.join(row['categories'])}: {row['text']!r}")
    if args.baseline:
        before = {r["text"] for r in json.loads(Path(args.baseline).read_text(encoding="utf-8"))["refused"]}
        new = [r for r in refused if r["text"] not in before]
        print(f"\nnewly refused since {args.baseline}: {len(new)}")
        for row in new:
            print(f"  {row['source']}: {','.join(row['categories'])}: {row['text']!r}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
