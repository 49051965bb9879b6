"""The builder's modules import each other without a loop.

Read from the source (ast), not from a running interpreter: every import counts, those at
the top of a module, inside a function (imported when it runs) and under TYPE_CHECKING
(a loop the type checker walks is still two modules that cannot be read apart).
`from builder.render import pages` names the module builder.render.pages; a package's
__init__ counts only for what it imports itself. (tests/api/test_layers.py checks the
whole project, without TYPE_CHECKING imports; this is the builder's stricter rule.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import builder

PACKAGE = Path(builder.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in PACKAGE.rglob("*.py")
        if "_data" not in path.relative_to(PACKAGE).parts
    }


def _imported(tree: ast.AST, known: set[str]) -> set[str]:
    """The builder modules a module's source imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in known
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def import_graph() -> dict[str, set[str]]:
    """Each builder module -> the builder modules it imports."""
    modules = _modules()
    known = set(modules)
    return {
        name: _imported(ast.parse(path.read_text(encoding="utf-8")), known) - {name}
        for name, path in modules.items()
    }


def find_loop(graph: dict[str, set[str]]) -> list[str] | None:
    """One import loop (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph.get(name, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                loop = visit(target)
                if loop:
                    return loop
        path.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            loop = visit(name)
            if loop:
                return loop
    return None


def test_the_builder_has_no_import_loop() -> None:
    loop = find_loop(import_graph())
    assert loop is None, "import loop: " + " -> ".join(loop or ())


def test_the_check_sees_every_kind_of_import() -> None:
    """The graph holds imports under TYPE_CHECKING and in functions, and submodules named
    in `from package import module`, so a loop through any of them is found."""
    graph = import_graph()
    assert "builder.render.context" in graph["builder.settled"]  # TYPE_CHECKING
    assert "builder.markdown.highlight" in graph["builder.markdown.convert"]  # in a function
    assert "builder.render.pages" in graph["builder.render.site"]  # from builder.render import
    assert find_loop({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_loop({"a": {"b"}, "b": set()}) is None
