"""Python analysis: what a module holds, complexity by counted branches, errors per file, and
the repository summary of the sample inventory service."""

from __future__ import annotations

import textwrap
from pathlib import Path

from orchestrator.ingestion.archive import SourceFile, build_archive, read_archive
from orchestrator.ingestion.code_analysis import (
    ImportEdge,
    analyze_module,
    analyze_repository,
    cyclomatic_complexity,
    module_name,
)

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "repositories" / "inventory_service"

MODULE = textwrap.dedent(
    '''
    """Shapes and their areas.

    More words that are not the summary.
    """

    from __future__ import annotations

    import math
    from . import units
    from .units import convert, Unit

    # a comment line, not code


    class Shape(Base, metaclass=Registry):
        """A plane figure."""

        def area(self) -> float:
            """Its area."""
            raise NotImplementedError

        async def save(self, *, into: str) -> None:
            import json


    @register
    @cached(size=2)
    def circle_area(radius: float, /, scale: int = 1, *values: float, exact: bool, **options: str) -> float:
        """Area of a circle of ``radius``."""
        return math.pi * radius**2
    '''
).lstrip()


def _source(path: str, text: str) -> SourceFile:
    return SourceFile(path=path, text=text, size=len(text.encode()))


def test_a_module_is_described_with_its_docstring_imports_classes_and_functions() -> None:
    # When a module of package "geometry" is analysed
    module = analyze_module("geometry/shapes.py", MODULE)

    # Then its name, docstring and summary line are known
    assert module.module == "geometry.shapes"
    assert module.summary == "Shapes and their areas."
    assert module.docstring is not None and "More words" in module.docstring
    # And its imports, relative ones made absolute, those inside functions too
    assert module.imports == ["__future__", "math", "geometry", "geometry.units", "json"]
    assert "geometry.units.convert" in module.imported_names
    # And its class with bases and methods
    [shape] = module.classes
    assert (shape.name, shape.line, shape.bases, shape.docstring) == (
        "Shape",
        15,
        ["Base"],
        "A plane figure.",
    )
    assert [(m.qualified_name, m.args, m.is_async) for m in shape.methods] == [
        ("geometry.shapes.Shape.area", ["self"], False),
        ("geometry.shapes.Shape.save", ["self", "into"], True),
    ]
    # And its function with every kind of argument, its decorators in its line range
    [circle] = module.functions
    assert circle.args == ["radius", "scale", "*values", "exact", "**options"]
    assert (circle.start_line, circle.line, circle.end_line) == (26, 28, 30)
    assert circle.docstring == "Area of a circle of ``radius``."
    # And blank and comment-only lines are not lines of code
    assert module.lines_of_code == len([line for line in MODULE.splitlines() if line.strip()]) - 1


def test_complexity_counts_each_kind_of_branch() -> None:
    # Given a function with one of each branch the count knows
    source = textwrap.dedent(
        """
        def busy(items, flag, other):
            if flag:                                  # +1
                pass
            elif other:                               # +1
                pass
            for item in items:                        # +1
                while item:                           # +1
                    item -= 1
            try:
                pass
            except ValueError:                        # +1
                pass
            except KeyError:                          # +1
                pass
            with open("f") as handle:                 # +1
                pass
            ok = flag and other and items             # +2
            either = flag or other                    # +1
            evens = [i for i in items if i % 2 if i]  # +2
            label = "a" if flag else "b"              # +1
            match flag:
                case 1:                               # +1
                    pass
                case _:                               # +1
                    pass
        """
    )

    # Then its complexity is 1 + 15
    [function] = analyze_module("busy.py", source).functions
    assert function.complexity == 16


def test_a_straight_function_has_complexity_one() -> None:
    import ast

    assert cyclomatic_complexity(ast.parse("def f(x):\n    return x + 1\n").body[0]) == 1


def test_the_complexity_of_the_sample_pricing_function_is_eight() -> None:
    # Given price_for: one guard, tier if/elif, bulk `if ... and ...`, coupon `if ... and ...`
    text = (SAMPLE / "inventory" / "pricing.py").read_text(encoding="utf-8")

    price_for = next(
        f for f in analyze_module("inventory/pricing.py", text).functions if f.name == "price_for"
    )

    # Then 1 + 1 + 2 + 2 + 2
    assert price_for.complexity == 8


def test_a_file_that_does_not_parse_is_reported_and_the_others_are_analysed() -> None:
    files = [
        _source("pkg/good.py", "def fine():\n    return 1\n"),
        _source("pkg/broken.py", "def broken(:\n    pass\n"),
        _source("pkg/nul.py", "x = 1\x00\n"),
        _source("README.md", "# not python"),
    ]

    analysis = analyze_repository(files)

    assert [module.path for module in analysis.modules] == ["pkg/good.py"]
    assert [(error.path, error.line) for error in analysis.errors] == [
        ("pkg/broken.py", 1),
        ("pkg/nul.py", None),
    ]
    assert analysis.errors[0].message.startswith("syntax error")
    assert analysis.summary.files_with_errors == 2


def test_module_names_follow_packages_and_the_src_layout() -> None:
    assert module_name("inventory/config.py") == "inventory.config"
    assert module_name("inventory/__init__.py") == "inventory"
    assert module_name("src/inventory/models.py") == "inventory.models"
    assert module_name("setup.py") == "setup"


def test_relative_imports_in_a_package_init_resolve_to_the_package() -> None:
    module = analyze_module("pkg/__init__.py", "from .core import run\nfrom . import extras\n")

    assert module.imports == ["pkg.core", "pkg"]
    assert module.imported_names == ["pkg.core.run", "pkg.extras"]


def test_the_sample_repository_summary() -> None:
    # Given the sample repository as it arrives in an archive
    files = read_archive(build_archive(SAMPLE)).files

    # When it is analysed
    summary = analyze_repository(files).summary

    # Then every module is counted, the request router is the most complex function
    assert summary.modules == 10
    assert summary.files_with_errors == 0
    assert summary.classes >= 8
    assert summary.most_complex[0].qualified_name == "inventory.handler.handle_request"
    assert [f.complexity for f in summary.most_complex] == sorted(
        (f.complexity for f in summary.most_complex), reverse=True
    )
    assert len(summary.most_complex) == 5
    # And the import graph links the repository's own modules only, never a module to itself
    edges = {(edge.source, edge.target) for edge in summary.import_edges}
    assert ("inventory.config", "inventory.errors") in edges
    assert ("inventory.handler", "inventory.pricing") in edges
    assert ("tests.test_pricing", "inventory.pricing") in edges
    assert all(edge.source != edge.target for edge in summary.import_edges)
    assert not any(target in {"os", "tomllib", "decimal"} for _, target in edges)
    assert summary.import_edges == sorted(summary.import_edges, key=lambda e: (e.source, e.target))
    assert ImportEdge(source="inventory.pricing", target="inventory.models") in summary.import_edges
