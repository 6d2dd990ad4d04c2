"""Instruction pairs (JSONL) for fine-tuning a model on a repository, from its analysis.

Three kinds of example, in a fixed order (modules by path; in each, the module's pair, then its
functions and methods by line; then Markdown documents by path, sections in order):

- each function or method with a docstring: ``Explain what `<qualified name>` in `<path>`
  does.``, its source as input (dedented, the docstring taken out so that the answer is not in
  the question) and the docstring as output;
- each module with a docstring: ``Summarize the module `<name>` (`<path>`).``, its source
  without the docstring as input, the docstring as output;
- each Markdown section with a heading and text: a question made from the heading, no input,
  the section's text as output.

Inputs longer than ``max_input_chars`` (8,000) are cut and end with a marker line.
"""

from __future__ import annotations

import ast
import json
import textwrap
from collections.abc import Iterable

from orchestrator.core.records import StrictModel
from orchestrator.ingestion.archive import SourceFile
from orchestrator.ingestion.code_analysis import CodeAnalysis, FunctionInfo, ModuleInfo
from orchestrator.ingestion.doc_analysis import DocAnalysis, MarkdownDocument

MAX_INPUT_CHARS = 8_000
TRUNCATION_MARKER = "\n# ... (truncated)"


class TrainingExample(StrictModel):
    instruction: str
    input: str
    output: str


class TrainingData(StrictModel):
    jsonl: str  # one JSON object per line, each ending with a newline
    count: int


def training_examples(
    files: Iterable[SourceFile],
    code: CodeAnalysis,
    docs: DocAnalysis,
    *,
    max_input_chars: int = MAX_INPUT_CHARS,
) -> list[TrainingExample]:
    """Every example, in the order described in the module docstring."""
    texts = {source.path: source.text for source in files}
    examples: list[TrainingExample] = []
    for module in sorted(code.modules, key=lambda m: m.path):
        text = texts.get(module.path)
        if text is None:
            continue
        examples.extend(_module_examples(module, text, max_input_chars))
    for document in sorted(docs.documents, key=lambda d: d.path):
        examples.extend(_section_examples(document))
    return examples


def build_training_data(
    files: Iterable[SourceFile],
    code: CodeAnalysis,
    docs: DocAnalysis,
    *,
    max_input_chars: int = MAX_INPUT_CHARS,
) -> TrainingData:
    """The examples as JSONL text (keys ``instruction``, ``input``, ``output``) and their count."""
    examples = training_examples(files, code, docs, max_input_chars=max_input_chars)
    return TrainingData(jsonl=to_jsonl(examples), count=len(examples))


def to_jsonl(examples: Iterable[TrainingExample]) -> str:
    return "".join(json.dumps(example.model_dump(), ensure_ascii=False) + "\n" for example in examples)


def _module_examples(module: ModuleInfo, text: str, max_input_chars: int) -> list[TrainingExample]:
    examples: list[TrainingExample] = []
    if module.docstring:
        examples.append(
            TrainingExample(
                instruction=f"Summarize the module `{module.module}` (`{module.path}`).",
                input=_bounded(_without_docstring(text), max_input_chars),
                output=module.docstring,
            )
        )
    lines = text.splitlines()
    for function in module.callables():
        if function.docstring:
            examples.append(_function_example(module, function, lines, max_input_chars))
    return examples


def _function_example(
    module: ModuleInfo, function: FunctionInfo, lines: list[str], max_input_chars: int
) -> TrainingExample:
    source = textwrap.dedent("\n".join(lines[function.start_line - 1 : function.end_line]))
    return TrainingExample(
        instruction=f"Explain what `{function.qualified_name}` in `{module.path}` does.",
        input=_bounded(_without_docstring(source), max_input_chars),
        output=function.docstring or "",
    )


def _section_examples(document: MarkdownDocument) -> list[TrainingExample]:
    examples: list[TrainingExample] = []
    for section in document.sections:
        if not section.heading or not section.text:
            continue
        context = f' (in "{" > ".join(section.trail[:-1])}")' if len(section.trail) > 1 else ""
        question = f'What does `{document.path}` say about "{section.heading}"{context}?'
        examples.append(TrainingExample(instruction=question, input="", output=section.text))
    return examples


def _without_docstring(source: str) -> str:
    """``source`` without the docstring of its module, or of its first function or class (kept
    when it shares a line with other code)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source
    owner: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef = tree
    if tree.body and isinstance(tree.body[0], ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        owner = tree.body[0]
    if ast.get_docstring(owner, clean=False) is None:
        return source
    docstring = owner.body[0]
    lines = source.splitlines()
    first, last = docstring.lineno, docstring.end_lineno or docstring.lineno
    alone = (
        not lines[first - 1][: docstring.col_offset].strip()
        and not lines[last - 1][docstring.end_col_offset or 0 :].strip()
        and (isinstance(owner, ast.Module) or first > owner.lineno)
    )
    if not alone:
        return source
    kept = lines[: first - 1] + lines[last:]
    if len(owner.body) == 1 and owner is not tree:  # the docstring was the whole body: stay valid
        kept.insert(first - 1, " " * docstring.col_offset + "...")
    return "\n".join(kept).strip("\n")


def _bounded(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - len(TRUNCATION_MARKER), 0)] + TRUNCATION_MARKER
