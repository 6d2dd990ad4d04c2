"""Describe a repository's Python code with the ``ast`` module, without importing or running it.

Per module: its path and dotted name, docstring, imports, classes (bases, methods, docstrings),
functions (arguments, docstring, cyclomatic complexity) and lines of code. A file that does not
parse is reported in ``CodeAnalysis.errors`` and the other files are still analysed. The
repository summary counts modules, classes, functions and lines, lists the most complex
functions and the import graph between the repository's own modules.

Cyclomatic complexity is 1 plus one per branch anywhere in the function's body (nested functions
included): ``if`` / ``elif`` / conditional expression, ``for``, ``while``, ``except`` clause,
``with``, each extra operand of ``and`` / ``or``, each ``if`` of a comprehension and each
``case`` of a ``match``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from pydantic import Field

from orchestrator.core.records import StrictModel
from orchestrator.ingestion.archive import SourceFile

MOST_COMPLEX = 5
_BRANCHES = (
    ast.If,  # elif is an If inside the orelse
    ast.IfExp,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.ExceptHandler,
    ast.match_case,
)


class FunctionInfo(StrictModel):
    """A function or a method."""

    name: str
    qualified_name: str  # module.function or module.Class.method
    line: int  # the ``def`` line
    start_line: int  # the first decorator's line (the ``def`` line without decorators)
    end_line: int
    args: list[str]  # as written: "self", "*args", "**options"
    docstring: str | None
    complexity: int
    is_async: bool = False


class ClassInfo(StrictModel):
    """A class (nested classes are listed too, as ``Outer.Inner``)."""

    name: str
    qualified_name: str
    line: int
    start_line: int
    end_line: int
    bases: list[str]
    methods: list[FunctionInfo]
    docstring: str | None


class ModuleInfo(StrictModel):
    path: str
    module: str  # dotted name: "inventory/config.py" -> "inventory.config"
    docstring: str | None  # the whole docstring
    summary: str | None  # its first line
    imports: list[str]  # absolute module names, in order of appearance, without duplicates
    imported_names: list[str] = Field(default_factory=list)  # from a import b -> "a.b" (module or not)
    classes: list[ClassInfo]
    functions: list[FunctionInfo]  # top-level functions
    lines_of_code: int  # lines that are neither blank nor only a comment

    def callables(self) -> list[FunctionInfo]:
        """Top-level functions and methods, in source order."""
        methods = [method for cls in self.classes for method in cls.methods]
        return sorted([*self.functions, *methods], key=lambda function: function.line)


class FileError(StrictModel):
    """A file that could not be analysed."""

    path: str
    message: str
    line: int | None = None


class ComplexFunction(StrictModel):
    qualified_name: str
    path: str
    line: int
    complexity: int


class ImportEdge(StrictModel):
    """``source`` imports ``target``; both are modules of the repository."""

    source: str
    target: str


class RepositorySummary(StrictModel):
    modules: int
    classes: int
    functions: int  # top-level functions and methods
    lines_of_code: int
    files_with_errors: int
    most_complex: list[ComplexFunction]
    import_edges: list[ImportEdge]


class CodeAnalysis(StrictModel):
    modules: list[ModuleInfo] = Field(default_factory=list)
    errors: list[FileError] = Field(default_factory=list)
    summary: RepositorySummary


def module_name(path: str) -> str:
    """The dotted module name of a ``.py`` path (a leading ``src/`` folder is not part of it)."""
    parts = path.removesuffix(".py").split("/")
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    if len(parts) > 1 and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def analyze_module(path: str, text: str) -> ModuleInfo:
    """The description of one Python module; raises ``SyntaxError`` when it does not parse."""
    tree = ast.parse(text, filename=path)
    module = module_name(path)
    docstring = ast.get_docstring(tree)
    classes: list[ClassInfo] = []
    functions: list[FunctionInfo] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(_function(node, module))
        elif isinstance(node, ast.ClassDef):
            classes.extend(_classes(node, module))
    return ModuleInfo(
        path=path,
        module=module,
        docstring=docstring,
        summary=_first_line(docstring),
        **_imports(tree, module, is_package=path.endswith("__init__.py")),
        classes=classes,
        functions=functions,
        lines_of_code=sum(
            1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
        ),
    )


def analyze_repository(files: Iterable[SourceFile], *, most_complex: int = MOST_COMPLEX) -> CodeAnalysis:
    """Every ``.py`` file described; files that do not parse are reported, not fatal."""
    modules: list[ModuleInfo] = []
    errors: list[FileError] = []
    for source in sorted(files, key=lambda f: f.path):
        if not source.path.endswith(".py"):
            continue
        try:
            modules.append(analyze_module(source.path, source.text))
        except SyntaxError as exc:
            errors.append(FileError(path=source.path, message=f"syntax error: {exc.msg}", line=exc.lineno))
        except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
            errors.append(FileError(path=source.path, message=f"cannot be parsed: {type(exc).__name__}"))
    return CodeAnalysis(modules=modules, errors=errors, summary=summarize(modules, errors, most_complex))


def summarize(
    modules: list[ModuleInfo], errors: list[FileError], most_complex: int = MOST_COMPLEX
) -> RepositorySummary:
    functions = [(module, function) for module in modules for function in module.callables()]
    ranked = sorted(functions, key=lambda pair: (-pair[1].complexity, pair[0].path, pair[1].line))
    return RepositorySummary(
        modules=len(modules),
        classes=sum(len(module.classes) for module in modules),
        functions=len(functions),
        lines_of_code=sum(module.lines_of_code for module in modules),
        files_with_errors=len(errors),
        most_complex=[
            ComplexFunction(
                qualified_name=function.qualified_name,
                path=module.path,
                line=function.line,
                complexity=function.complexity,
            )
            for module, function in ranked[:most_complex]
        ],
        import_edges=import_edges(modules),
    )


def import_edges(modules: list[ModuleInfo]) -> list[ImportEdge]:
    """Imports between modules of the repository, sorted, without self-imports: ``from a.b
    import c`` is an edge to ``a.b.c`` if that is a module of the repository, else to ``a.b``."""
    known = {module.module for module in modules}
    edges: set[tuple[str, str]] = set()
    for module in modules:
        for imported in [*module.imports, *module.imported_names]:
            target = _known_module(imported, known)
            if target is not None and target != module.module:
                edges.add((module.module, target))
    return [ImportEdge(source=source, target=target) for source, target in sorted(edges)]


def _known_module(name: str, known: set[str]) -> str | None:
    """``name`` or its closest enclosing package that is a repository module."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def cyclomatic_complexity(node: ast.AST) -> int:
    """1 + the branches in ``node``'s body (see the module docstring for what counts)."""
    branches = 0
    for child in ast.walk(node):
        if isinstance(child, _BRANCHES):
            branches += 1
        elif isinstance(child, ast.BoolOp):
            branches += len(child.values) - 1
        elif isinstance(child, ast.comprehension):
            branches += len(child.ifs)
    return branches + 1


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef, qualifier: str) -> FunctionInfo:
    return FunctionInfo(
        name=node.name,
        qualified_name=f"{qualifier}.{node.name}",
        line=node.lineno,
        start_line=min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)]),
        end_line=node.end_lineno or node.lineno,
        args=_arguments(node.args),
        docstring=ast.get_docstring(node),
        complexity=cyclomatic_complexity(node),
        is_async=isinstance(node, ast.AsyncFunctionDef),
    )


def _classes(node: ast.ClassDef, qualifier: str) -> list[ClassInfo]:
    qualified = f"{qualifier}.{node.name}"
    nested: list[ClassInfo] = []
    methods: list[FunctionInfo] = []
    for child in node.body:
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            methods.append(_function(child, qualified))
        elif isinstance(child, ast.ClassDef):
            nested.extend(_classes(child, qualified))
    own = ClassInfo(
        name=node.name,
        qualified_name=qualified,
        line=node.lineno,
        start_line=min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)]),
        end_line=node.end_lineno or node.lineno,
        bases=[ast.unparse(base) for base in node.bases],
        methods=methods,
        docstring=ast.get_docstring(node),
    )
    return [own, *nested]


def _arguments(arguments: ast.arguments) -> list[str]:
    names = [arg.arg for arg in [*arguments.posonlyargs, *arguments.args]]
    if arguments.vararg is not None:
        names.append(f"*{arguments.vararg.arg}")
    names.extend(arg.arg for arg in arguments.kwonlyargs)
    if arguments.kwarg is not None:
        names.append(f"**{arguments.kwarg.arg}")
    return names


def _imports(tree: ast.Module, module: str, *, is_package: bool) -> dict[str, list[str]]:
    """Imported modules and from-imported names, relative imports made absolute, in order of
    appearance (imports inside functions included)."""
    modules: list[tuple[int, int, str]] = []
    names: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.extend((node.lineno, node.col_offset, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, module, is_package)
            if not base:
                continue
            modules.append((node.lineno, node.col_offset, base))
            names.extend((node.lineno, node.col_offset, f"{base}.{alias.name}") for alias in node.names)
    return {
        "imports": list(dict.fromkeys(name for *_, name in sorted(modules))),
        "imported_names": list(dict.fromkeys(name for *_, name in sorted(names) if not name.endswith("*"))),
    }


def _absolute(name: str | None, level: int, module: str, is_package: bool) -> str | None:
    """The absolute name of ``from <dots><name> import ...`` in ``module`` (None: above the root)."""
    if level == 0:
        return name or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, *([name] if name else [])])


def _first_line(docstring: str | None) -> str | None:
    if not docstring:
        return None
    return docstring.strip().splitlines()[0].strip()
