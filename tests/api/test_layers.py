"""The house's import rules, read from the source with `ast` (nothing is imported).

routers -> services -> models, each only downward: routers translate HTTP and hold no
query, services know nothing of FastAPI, models import no services. The worker package
is imported by nobody in the API (jobs are enqueued by dotted name), the builder never
imports the interaction API, and no two modules import each other, directly or around a
loop, even lazily inside a function.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The database names a router may use: types in signatures, never a query.
ROUTER_DB_TYPES = {"Session", "Engine"}
QUERY_METHODS = {"exec", "execute", "scalars", "scalar", "query"}
# The two halves of the inbox pages share page helpers; Studio replaces both together.
ROUTER_TO_ROUTER = {("inbox_actions", "inbox_pages")}
# interactions_api.jobs: the old dotted names, for jobs queued before an upgrade.
MAY_IMPORT_WORKER = {"interactions_api.cli", "interactions_api.platform", "interactions_api.jobs"}


def _modules(package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = {**_modules("interactions_api"), **_modules("builder")}


def _imports(module: str, path: Path) -> Iterator[tuple[str, str, int]]:
    """(module imported, name imported or "", line) for every import, lazy ones too,
    except those only for type checkers."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST) -> Iterator[tuple[str, str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                yield from ((alias.name, "", child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                yield from ((base, alias.name, child.lineno) for alias in child.names)
            yield from visit(child)

    yield from visit(ast.parse(path.read_text(encoding="utf-8")))


def _target(base: str, name: str) -> str | None:
    """The project module an import loads (`from pkg import mod` loads pkg.mod)."""
    candidate = f"{base}.{name}" if name else base
    for found in (candidate, base):
        parts = found.split(".")
        while parts and ".".join(parts) not in MODULES:
            parts.pop()
        if parts:
            return ".".join(parts)
    return None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {_target(base, name) for base, name, _ in _imports(module, path)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def _violations(prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {base}"
        for module, path in MODULES.items()
        if module.startswith(prefix)
        for base, _, line in _imports(module, path)
        if base.startswith(forbidden)
    ]


def test_routers_hold_no_queries() -> None:
    found = []
    for module, path in MODULES.items():
        if not module.startswith("interactions_api.routers."):
            continue
        for base, name, line in _imports(module, path):
            if base.split(".")[0] in {"sqlmodel", "sqlalchemy"} and name not in ROUTER_DB_TYPES:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {name or base}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in QUERY_METHODS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} runs .{node.attr}()")
    assert found == [], "a query belongs in a service"


def test_a_router_imports_no_other_router() -> None:
    found = []
    for module, path in MODULES.items():
        if not module.startswith("interactions_api.routers."):
            continue
        for base, name, line in _imports(module, path):
            other = (_target(base, name) or "").removeprefix("interactions_api.routers.")
            if other == (_target(base, name) or "") or other.startswith("_"):
                continue  # not a router module, or a shared helper module of the routers
            if (module.rpartition(".")[2], other) not in ROUTER_TO_ROUTER:
                found.append(f"{path.relative_to(ROOT)}:{line} imports routers.{other}")
    assert found == [], "what two routers share belongs in a service or routers/_*.py"


def test_models_import_no_services_routers_or_worker() -> None:
    forbidden = tuple(f"interactions_api.{p}" for p in ("services", "routers", "worker", "deps"))
    assert _violations("interactions_api.models", forbidden) == []


def test_services_know_nothing_of_http_or_routers() -> None:
    forbidden = ("fastapi", "starlette", "interactions_api.routers", "interactions_api.deps")
    assert _violations("interactions_api.services", forbidden) == []


def test_only_the_worker_side_imports_the_worker_package() -> None:
    found = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if module.startswith("interactions_api")
        and not module.startswith("interactions_api.worker")
        and module not in MAY_IMPORT_WORKER
        for target in targets
        if target.startswith("interactions_api.worker")
    ]
    assert found == [], "the API enqueues jobs by dotted name and never imports the worker"


def test_the_builder_never_imports_the_interaction_api() -> None:
    assert _violations("builder", ("interactions_api",)) == []


def test_no_import_loops() -> None:
    graph = _graph()
    loops = [sorted(group) for group in _strongly_connected(graph) if len(group) > 1]
    assert loops == []


def test_every_job_name_the_api_enqueues_resolves_to_a_job() -> None:
    from interactions_api.mail import SEND_MAIL_JOB
    from interactions_api.services.outbox import BUILD_JOB
    from interactions_api.worker.search import SEARCH_JOB

    for name in (BUILD_JOB, SEARCH_JOB, SEND_MAIL_JOB):
        module, _, attribute = name.rpartition(".")
        assert module == "interactions_api.worker.jobs", name
        assert callable(getattr(importlib.import_module(module), attribute)), name


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (the graph is deep enough to matter)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.get(step, ())))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups
