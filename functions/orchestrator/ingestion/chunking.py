"""Split a repository into search chunks: pieces of source with their location.

- Python (a file that parses): one chunk per top-level function and class (decorators included)
  and one ``module`` chunk with everything outside them (docstring, imports, constants);
- Markdown: one chunk per section (its heading line included);
- any other text file, and Python that does not parse: windows of ``window_lines`` lines (60)
  overlapping by ``overlap_lines`` (10).

No chunk's text is longer than ``max_chars`` (4,000): a longer function, class, section or
module part is cut into consecutive windows (with the same overlap), each a chunk of the same
kind. Blank lines at either end of a chunk are left out of it. A chunk's id is a hash of its
path and line range, so it stays the same as long as that piece of the file does.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable, Sequence
from typing import Literal

from orchestrator.core.records import StrictModel
from orchestrator.ingestion.archive import SourceFile
from orchestrator.ingestion.doc_analysis import analyze_markdown, is_markdown

MAX_CHUNK_CHARS = 4_000
WINDOW_LINES = 60
OVERLAP_LINES = 10

ChunkKind = Literal["module", "function", "class", "section", "window"]
NumberedLine = tuple[int, str]  # (1-based line number, text)


class Chunk(StrictModel):
    chunk_id: str
    path: str
    kind: ChunkKind
    start_line: int
    end_line: int
    text: str
    title: str = ""  # the function's or class's name, the section's headings, or the path


def chunk_id(path: str, start_line: int, end_line: int) -> str:
    """A stable id: the same path and line range always give the same id."""
    return hashlib.sha256(f"{path}:{start_line}-{end_line}".encode()).hexdigest()[:24]


def chunk_repository(
    files: Iterable[SourceFile],
    *,
    max_chars: int = MAX_CHUNK_CHARS,
    window_lines: int = WINDOW_LINES,
    overlap_lines: int = OVERLAP_LINES,
) -> list[Chunk]:
    """Every file's chunks, files in path order, chunks in line order within a file."""
    if not 0 <= overlap_lines < window_lines or max_chars < 1:
        raise ValueError("need 0 <= overlap_lines < window_lines and max_chars >= 1")
    chunks: list[Chunk] = []
    for source in sorted(files, key=lambda f: f.path):
        chunks.extend(
            chunk_file(source, max_chars=max_chars, window_lines=window_lines, overlap_lines=overlap_lines)
        )
    return chunks


def chunk_file(
    source: SourceFile,
    *,
    max_chars: int = MAX_CHUNK_CHARS,
    window_lines: int = WINDOW_LINES,
    overlap_lines: int = OVERLAP_LINES,
) -> list[Chunk]:
    """One file's chunks, in line order."""
    lines = list(enumerate(source.text.splitlines(), start=1))
    pieces: list[tuple[ChunkKind, str, list[NumberedLine]]] = []
    if source.path.endswith(".py") and (parts := _python_parts(source.text, lines)) is not None:
        pieces = parts
    elif is_markdown(source.path):
        document = analyze_markdown(source.path, source.text)
        pieces = [
            ("section", " > ".join(s.trail) or source.path, lines[s.start_line - 1 : s.end_line])
            for s in document.sections
        ]
    chunks: list[Chunk] = []
    for kind, title, piece in pieces or [("window", source.path, lines)]:
        single = kind != "window" and len("\n".join(text for _, text in piece)) <= max_chars
        spans = [piece] if single else _windows(piece, window_lines, overlap_lines, max_chars)
        for span in map(_trimmed, spans):
            text = "\n".join(line for _, line in span)[:max_chars]
            if span:
                start, end = span[0][0], span[-1][0]
                chunks.append(
                    Chunk(
                        chunk_id=chunk_id(source.path, start, end),
                        path=source.path,
                        kind=kind,
                        start_line=start,
                        end_line=end,
                        text=text,
                        title=title,
                    )
                )
    return sorted(chunks, key=lambda chunk: (chunk.start_line, chunk.end_line))


def _python_parts(
    text: str, lines: list[NumberedLine]
) -> list[tuple[ChunkKind, str, list[NumberedLine]]] | None:
    """Top-level functions and classes and the module part around them; None if unparsable."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    parts: list[tuple[ChunkKind, str, list[NumberedLine]]] = []
    covered: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            end = node.end_lineno or node.lineno
            kind: ChunkKind = "class" if isinstance(node, ast.ClassDef) else "function"
            parts.append((kind, node.name, lines[start - 1 : end]))
            covered.update(range(start, end + 1))
    module_lines = [line for line in lines if line[0] not in covered]
    if any(text.strip() for _, text in module_lines):
        parts.insert(0, ("module", "(module level)", module_lines))
    return parts


def _trimmed(span: list[NumberedLine]) -> list[NumberedLine]:
    """The span without its leading and trailing blank lines."""
    filled = [index for index, (_, text) in enumerate(span) if text.strip()]
    return span[filled[0] : filled[-1] + 1] if filled else []


def _windows(
    lines: Sequence[NumberedLine], size: int, overlap: int, max_chars: int
) -> list[list[NumberedLine]]:
    """Consecutive windows of at most ``size`` lines and ``max_chars`` characters, each starting
    ``overlap`` lines before the previous one ended (always moving forward)."""
    windows: list[list[NumberedLine]] = []
    start = 0
    while start < len(lines):
        end, chars = start, 0
        while end < len(lines) and end - start < size:
            chars += len(lines[end][1]) + (1 if end > start else 0)
            if chars > max_chars and end > start:
                break
            end += 1
        windows.append(list(lines[start:end]))
        if end >= len(lines):
            break
        start = max(end - overlap, start + 1)
    return windows
