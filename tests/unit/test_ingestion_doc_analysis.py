"""Markdown analysis (headings, sections, code blocks, links) and docstrings from the code."""

from __future__ import annotations

import textwrap
from pathlib import Path

from orchestrator.ingestion.archive import SourceFile, build_archive, read_archive
from orchestrator.ingestion.code_analysis import analyze_repository
from orchestrator.ingestion.doc_analysis import analyze_documentation, analyze_markdown, collect_docstrings

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "repositories" / "inventory_service"

GUIDE = textwrap.dedent(
    """
    Written before any heading.

    # Guide #

    Read [the API](docs/api.md "API reference") and <https://example.com/help>.
    Not a link: `[x](y)`, nor an image: ![logo](logo.png).

    Setup
    -----

    ```bash
    # a comment, not a heading
    pip install guide
    ```

    ~~~~
    ```
    still inside the outer fence
    ```
    ~~~~

    ### Deep dive

    Details.

    [spec]: https://spec.example.org/v1
    """
).lstrip()


def test_headings_have_their_levels_and_fenced_lines_are_not_headings() -> None:
    document = analyze_markdown("GUIDE.md", GUIDE)

    assert [(h.level, h.text, h.line) for h in document.headings] == [
        (1, "Guide", 3),
        (2, "Setup", 8),
        (3, "Deep dive", 22),
    ]
    assert document.title == "Guide"


def test_code_fences_are_counted_once_even_when_nested() -> None:
    document = analyze_markdown("GUIDE.md", GUIDE)

    assert document.code_blocks == 2
    assert [section.code_blocks for section in document.sections] == [0, 0, 2, 0]


def test_sections_hold_the_text_under_each_heading_with_their_trail() -> None:
    sections = analyze_markdown("GUIDE.md", GUIDE).sections

    # Then the text before the first heading is a section of level 0
    assert (sections[0].heading, sections[0].level, sections[0].text) == (
        "",
        0,
        "Written before any heading.",
    )
    # And each heading's section runs to the next heading
    assert [(s.heading, s.start_line, s.end_line) for s in sections[1:]] == [
        ("Guide", 3, 7),
        ("Setup", 8, 21),
        ("Deep dive", 22, 26),
    ]
    assert sections[3].trail == ["Guide", "Setup", "Deep dive"]
    assert sections[3].text.startswith("Details.")
    assert "pip install guide" in sections[2].text


def test_links_are_inline_autolinks_and_definitions_never_images_or_code() -> None:
    links = analyze_markdown("GUIDE.md", GUIDE).links

    assert [(link.text, link.target, link.line) for link in links] == [
        ("the API", "docs/api.md", 5),
        ("https://example.com/help", "https://example.com/help", 5),
        ("spec", "https://spec.example.org/v1", 26),
    ]
    assert [link.external for link in links] == [False, True, True]


def test_a_setext_underline_needs_a_paragraph_line_above() -> None:
    document = analyze_markdown("x.md", "Intro line\nmore intro\n---\n\nTitle\n=====\n")

    assert [(h.level, h.text) for h in document.headings] == [(1, "Title")]


def test_docstrings_are_collected_from_the_code_analysis() -> None:
    code = analyze_repository(
        [
            SourceFile(
                path="pkg/mod.py",
                text='"""The module."""\n\nclass A:\n    """The class."""\n\n    def m(self):\n'
                '        """The method."""\n\n\ndef f():\n    pass\n',
                size=0,
            )
        ]
    )

    docstrings = collect_docstrings(code)

    assert [(d.kind, d.qualified_name, d.line, d.text) for d in docstrings] == [
        ("module", "pkg.mod", 1, "The module."),
        ("class", "pkg.mod.A", 3, "The class."),
        ("function", "pkg.mod.A.m", 6, "The method."),
    ]


def test_the_sample_documentation_summary() -> None:
    # Given the sample repository's files and code analysis
    files = read_archive(build_archive(SAMPLE)).files
    code = analyze_repository(files)

    # When its documentation is analysed
    docs = analyze_documentation(files, code)

    # Then the README and the three guides are described, with their sections and links
    assert [d.path for d in docs.documents] == [
        "README.md",
        "docs/api.md",
        "docs/configuration.md",
        "docs/pricing.md",
    ]
    assert docs.documents[0].title == "Inventory service"
    pricing = docs.documents[3]
    assert [s.heading for s in pricing.sections] == [
        "Pricing",
        "Customer tiers",
        "Bulk orders",
        "Coupons",
        "Floor price",
    ]
    summary = docs.summary
    assert summary.documents == 4
    assert summary.code_blocks == 4
    assert summary.external_links == 1
    assert summary.links == 5
    # And every module of the service is documented; the coverage counts functions and methods
    module_docstrings = {d.qualified_name for d in docs.docstrings if d.kind == "module"}
    assert {"inventory.config", "inventory.pricing", "inventory.handler"} <= module_docstrings
    assert 0 < summary.docstring_coverage < 1
    assert summary.documented_functions < summary.functions
