"""Describe a repository's documentation: its Markdown files and the docstrings of its code.

Markdown is read line by line (no third-party parser): ATX (``## Title``) and setext
(``Title`` over ``===`` or ``---``) headings with their levels, the section under each heading
(its text up to the next heading), fenced code blocks (counted; headings and links inside them
are ignored), and links (``[text](target)``, ``<https://...>`` and ``[label]: target``
definitions; images are not links). The docstrings come from the code analysis, and a summary
counts what was found, with the share of functions and methods that have a docstring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from orchestrator.core.records import StrictModel
from orchestrator.ingestion.archive import SourceFile
from orchestrator.ingestion.code_analysis import CodeAnalysis

MARKDOWN_SUFFIXES = (".md", ".markdown")

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_INLINE_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_WORD = re.compile(r"\w+")


class Heading(StrictModel):
    level: int  # 1-6
    text: str
    line: int


class Section(StrictModel):
    """The text under a heading, up to the next heading (level 0: text before any heading)."""

    heading: str
    level: int
    trail: list[str]  # the headings above it and its own, e.g. ["Pricing", "Coupons"]
    start_line: int  # the heading's line
    end_line: int
    text: str  # without the heading line, stripped
    code_blocks: int


class Link(StrictModel):
    text: str
    target: str
    line: int

    @property
    def external(self) -> bool:
        return self.target.startswith(("http://", "https://", "mailto:"))


class MarkdownDocument(StrictModel):
    path: str
    title: str | None  # the first level-1 heading, else the first heading
    headings: list[Heading]
    sections: list[Section]
    code_blocks: int
    links: list[Link]
    words: int


class Docstring(StrictModel):
    path: str
    qualified_name: str
    kind: Literal["module", "class", "function"]
    line: int
    text: str


class DocumentationSummary(StrictModel):
    documents: int
    headings: int
    sections: int
    code_blocks: int
    links: int
    external_links: int
    words: int
    docstrings: int
    documented_functions: int
    functions: int
    docstring_coverage: float  # documented functions and methods / all of them (1.0 when none)


class DocAnalysis(StrictModel):
    documents: list[MarkdownDocument] = Field(default_factory=list)
    docstrings: list[Docstring] = Field(default_factory=list)
    summary: DocumentationSummary


def is_markdown(path: str) -> bool:
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def analyze_markdown(path: str, text: str) -> MarkdownDocument:
    """Headings, sections, code blocks and links of one Markdown document."""
    lines = text.splitlines()
    headings: dict[int, tuple[Heading, int]] = {}  # first line index -> heading, lines it spans
    links: list[Link] = []
    in_code = [False] * len(lines)  # lines inside a fence, the fence lines included
    openers: set[int] = set()  # line indexes where a code block starts
    fence: str | None = None
    for index, line in enumerate(lines):
        marker = _FENCE.match(line)
        if fence is not None:
            in_code[index] = True
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None if not line.strip().lstrip(fence[0]) else fence  # a closing fence has no info
            continue
        if marker:
            fence, in_code[index] = marker.group(1), True
            openers.add(index)
            continue
        if atx := _ATX.match(line):
            headings[index] = (
                Heading(level=len(atx.group(1)), text=(atx.group(2) or "").strip(), line=index + 1),
                1,
            )
        elif (level := _setext_level(lines, index, in_code, headings)) is not None:
            headings[index - 1] = (Heading(level=level, text=lines[index - 1].strip(), line=index), 2)
        links.extend(_links(line, index + 1))
    ordered = [heading for _, (heading, _) in sorted(headings.items())]
    return MarkdownDocument(
        path=path,
        title=next((h.text for h in ordered if h.level == 1), ordered[0].text if ordered else None),
        headings=ordered,
        sections=_sections(lines, headings, openers),
        code_blocks=len(openers),
        links=links,
        words=len(_WORD.findall(text)),
    )


def _setext_level(
    lines: list[str], index: int, in_code: list[bool], headings: dict[int, tuple[Heading, int]]
) -> int | None:
    """1 or 2 when ``lines[index]`` underlines a one-line paragraph (``===`` or ``---``)."""
    underline = _SETEXT.match(lines[index])
    if underline is None or index == 0 or in_code[index - 1] or index - 1 in headings:
        return None
    above = lines[index - 1]
    if not above.strip() or above.startswith("    ") or _SETEXT.match(above) or _ATX.match(above):
        return None
    if index >= 2 and lines[index - 2].strip() and (index - 2) not in headings:
        return None  # only a one-line paragraph becomes a heading here
    return 1 if underline.group(1)[0] == "=" else 2


def _sections(lines: list[str], headings: dict[int, tuple[Heading, int]], openers: set[int]) -> list[Section]:
    starts = sorted(headings)
    bounds = [*starts, len(lines)]
    sections: list[Section] = []
    if "\n".join(lines[: bounds[0]]).strip():
        sections.append(_section("", 0, [], 0, 0, bounds[0], lines, openers))
    trail: list[Heading] = []
    for start, end in zip(starts, bounds[1:], strict=True):
        heading, span = headings[start]
        trail = [*(above for above in trail if above.level < heading.level), heading]
        trail_texts = [above.text for above in trail]
        sections.append(
            _section(heading.text, heading.level, trail_texts, start, start + span, end, lines, openers)
        )
    return sections


def _section(
    heading: str,
    level: int,
    trail: list[str],
    start: int,
    body_start: int,
    end: int,
    lines: list[str],
    openers: set[int],
) -> Section:
    return Section(
        heading=heading,
        level=level,
        trail=trail,
        start_line=start + 1,
        end_line=max(end, start + 1),
        text="\n".join(lines[body_start:end]).strip(),
        code_blocks=sum(1 for index in openers if body_start <= index < end),
    )


def _links(line: str, number: int) -> list[Link]:
    if definition := _DEFINITION.match(line):
        return [Link(text=definition.group(1), target=definition.group(2), line=number)]
    visible = _INLINE_CODE.sub(lambda match: " " * len(match.group(0)), line)
    found = [
        (match.start(), Link(text=match.group(1), target=match.group(2), line=number))
        for match in _INLINE_LINK.finditer(visible)
    ]
    found += [
        (match.start(), Link(text=match.group(1), target=match.group(1), line=number))
        for match in _AUTOLINK.finditer(visible)
    ]
    return [link for _, link in sorted(found, key=lambda pair: pair[0])]


def collect_docstrings(code: CodeAnalysis) -> list[Docstring]:
    """Every docstring of the code analysis: modules, classes, functions and methods."""
    found: list[Docstring] = []
    for module in code.modules:
        if module.docstring:
            found.append(
                Docstring(
                    path=module.path,
                    qualified_name=module.module,
                    kind="module",
                    line=1,
                    text=module.docstring,
                )
            )
        entries: list[tuple[int, str, Literal["class", "function"], str | None]] = [
            (cls.line, cls.qualified_name, "class", cls.docstring) for cls in module.classes
        ]
        entries += [(f.line, f.qualified_name, "function", f.docstring) for f in module.callables()]
        for line, name, kind, text in sorted(entries, key=lambda entry: (entry[0], entry[1])):
            if text:
                found.append(
                    Docstring(path=module.path, qualified_name=name, kind=kind, line=line, text=text)
                )
    return found


def analyze_documentation(files: Iterable[SourceFile], code: CodeAnalysis) -> DocAnalysis:
    """The repository's Markdown documents (by path) and docstrings, with a summary."""
    documents = [
        analyze_markdown(source.path, source.text)
        for source in sorted(files, key=lambda f: f.path)
        if is_markdown(source.path)
    ]
    docstrings = collect_docstrings(code)
    callables = [function for module in code.modules for function in module.callables()]
    documented = sum(1 for function in callables if function.docstring)
    links = [link for document in documents for link in document.links]
    summary = DocumentationSummary(
        documents=len(documents),
        headings=sum(len(document.headings) for document in documents),
        sections=sum(len(document.sections) for document in documents),
        code_blocks=sum(document.code_blocks for document in documents),
        links=len(links),
        external_links=sum(1 for link in links if link.external),
        words=sum(document.words for document in documents),
        docstrings=len(docstrings),
        documented_functions=documented,
        functions=len(callables),
        docstring_coverage=round(documented / len(callables), 4) if callables else 1.0,
    )
    return DocAnalysis(documents=documents, docstrings=docstrings, summary=summary)
