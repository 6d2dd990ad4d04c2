"""Search chunks: Python by top-level definition, Markdown by section, other text by
overlapping windows; bounded text and stable ids."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from orchestrator.ingestion.archive import SourceFile, build_archive, read_archive
from orchestrator.ingestion.chunking import MAX_CHUNK_CHARS, chunk_file, chunk_id, chunk_repository

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "repositories" / "inventory_service"

PYTHON = textwrap.dedent(
    '''
    """Tools."""

    import os

    LIMIT = 3


    @decorated
    def first(x):
        return x


    class Second:
        def method(self):
            return 2
    '''
).lstrip()


def _source(path: str, text: str) -> SourceFile:
    return SourceFile(path=path, text=text, size=len(text.encode()))


def test_python_gives_a_chunk_per_top_level_definition_and_one_for_the_module() -> None:
    chunks = chunk_file(_source("pkg/tools.py", PYTHON))

    # Then the module part, the function (with its decorator) and the class, in line order
    assert [(c.kind, c.title, c.start_line, c.end_line) for c in chunks] == [
        ("module", "(module level)", 1, 5),
        ("function", "first", 8, 10),
        ("class", "Second", 13, 15),
    ]
    assert chunks[1].text == "@decorated\ndef first(x):\n    return x"
    assert "def method" in chunks[2].text  # methods stay inside their class
    assert "LIMIT = 3" in chunks[0].text and "def first" not in chunks[0].text


def test_markdown_gives_a_chunk_per_section() -> None:
    text = "# Title\n\nIntro.\n\n## Usage\n\nRun it.\n"

    chunks = chunk_file(_source("README.md", text))

    assert [(c.kind, c.title, c.start_line, c.end_line) for c in chunks] == [
        ("section", "Title", 1, 3),
        ("section", "Title > Usage", 5, 7),
    ]
    assert chunks[1].text == "## Usage\n\nRun it."


def test_other_text_is_cut_into_overlapping_windows() -> None:
    text = "".join(f"line {number}\n" for number in range(1, 151))

    chunks = chunk_file(_source("data/values.txt", text), window_lines=60, overlap_lines=10)

    assert [(c.kind, c.start_line, c.end_line) for c in chunks] == [
        ("window", 1, 60),
        ("window", 51, 110),
        ("window", 101, 150),
    ]
    assert chunks[1].text.splitlines()[0] == "line 51"


def test_python_that_does_not_parse_is_cut_into_windows() -> None:
    chunks = chunk_file(_source("broken.py", "def broken(:\n    pass\n"))

    assert [(c.kind, c.start_line, c.end_line) for c in chunks] == [("window", 1, 2)]


def test_no_chunk_is_longer_than_the_bound() -> None:
    # Given a function far longer than a chunk may be, and a file with one enormous line
    long_function = "def long():\n" + "".join(
        f"    value_{n} = {n} * 2  # padding padding\n" for n in range(400)
    )
    files = [_source("big.py", long_function), _source("minified.js", "x" * 10_000)]

    chunks = chunk_repository(files, max_chars=1_000)

    # Then the function is split into several function chunks, each within the bound
    function_chunks = [c for c in chunks if c.path == "big.py"]
    assert len(function_chunks) > 10
    assert {c.kind for c in function_chunks} == {"function"}
    assert all(len(c.text) <= 1_000 for c in chunks)
    assert function_chunks[0].start_line == 1 and function_chunks[-1].end_line == 401
    # And the enormous line is cut
    assert [len(c.text) for c in chunks if c.path == "minified.js"] == [1_000]


def test_chunk_ids_are_stable_and_unique_across_the_sample_repository() -> None:
    files = read_archive(build_archive(SAMPLE)).files

    first = chunk_repository(files)
    second = chunk_repository(files)

    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]
    assert len({c.chunk_id for c in first}) == len(first)
    assert all(c.chunk_id == chunk_id(c.path, c.start_line, c.end_line) for c in first)
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in first)
    assert chunk_id("a.py", 1, 5) != chunk_id("b.py", 1, 5) != chunk_id("a.py", 1, 6)


def test_the_sample_repository_is_chunked_by_kind() -> None:
    chunks = chunk_repository(read_archive(build_archive(SAMPLE)).files)

    kinds = {(c.path, c.title): c.kind for c in chunks}
    assert kinds[("inventory/config.py", "parse_config_file")] == "function"
    assert kinds[("inventory/repository.py", "InMemoryInventoryRepository")] == "class"
    assert kinds[("docs/pricing.md", "Pricing > Coupons")] == "section"
    assert kinds[("inventory.toml", "inventory.toml")] == "window"


def test_empty_files_give_no_chunks_and_bad_settings_are_refused() -> None:
    assert chunk_file(_source("empty.py", "")) == []
    assert chunk_file(_source("blank.txt", "\n\n  \n")) == []
    with pytest.raises(ValueError, match="overlap_lines"):
        chunk_repository([], window_lines=10, overlap_lines=10)
