"""The sample repository shipped with the project: a small, documented inventory service that
demos and tests turn into an archive."""

from __future__ import annotations

from pathlib import Path

from orchestrator.ingestion.archive import build_archive, read_archive
from orchestrator.ingestion.code_analysis import analyze_repository

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "repositories" / "inventory_service"


def test_the_sample_is_plain_files_with_a_readme_and_guides() -> None:
    assert (SAMPLE / "README.md").is_file()
    assert sorted(path.name for path in (SAMPLE / "docs").glob("*.md")) == [
        "api.md",
        "configuration.md",
        "pricing.md",
    ]
    assert not list(SAMPLE.rglob("*.tar.gz")) and not list(SAMPLE.rglob("*.zip"))


def test_every_python_module_of_the_sample_has_a_docstring() -> None:
    # Given the sample as an archive would carry it
    analysis = analyze_repository(read_archive(build_archive(SAMPLE)).files)

    # Then it has between 6 and 10 modules, all parsed and documented
    assert 6 <= len(analysis.modules) <= 10
    assert analysis.errors == []
    assert all(module.summary for module in analysis.modules)
    config = next(module for module in analysis.modules if module.path == "inventory/config.py")
    assert "parse_config_file" in [function.name for function in config.functions]
