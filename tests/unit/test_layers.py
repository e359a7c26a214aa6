"""The layers of `docs/architecture.md`, checked on the import graph of the source (ast, no import).

An import is `runtime` unless it sits under `if TYPE_CHECKING:`; `lazy` when it sits in a
function (loaded on first use). The offline backend (`local/`) is an independent peer: the client
rules below do not apply inside it.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import nemo_widgets

ROOT = Path(nemo_widgets.__file__).parent
PKG = "nemo_widgets"
# Modules allowed to load the offline backend on first use: the entry points, and connect()
# for backend="local".
LOCAL_USERS = {"nemo_widgets.__main__", "nemo_widgets.session._connect"}
# Function-local imports the workflow and wire layers may keep: optional dependencies only.
OPTIONAL = {"tqdm.auto", "fcntl", "nemo_widgets.local"}


@dataclasses.dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (a submodule when `from pkg import sub` names one)
    runtime: bool
    lazy: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    if not name.startswith(PKG):
        return False
    rel = Path(*name.split(".")[1:]) if "." in name else Path()
    return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists()


def _imports(path: Path) -> list[Import]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[Import] = []

    def visit(node: ast.AST, runtime: bool, lazy: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                visit(child, False, lazy)
            for child in node.orelse:
                visit(child, runtime, lazy)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(name, a.name, runtime, lazy) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                found.append(Import(name, sub if _is_module(sub) else module, runtime, lazy))
        inner = lazy or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, runtime, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), True, False)
    return found


IMPORTS = [i for path in sorted(ROOT.rglob("*.py")) for i in _imports(path)]


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _client(i: Import) -> bool:
    return not _in(i.source, f"{PKG}.local")


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return out


def test_the_graph_is_read() -> None:  # the rules below must have something to check
    sources = {i.source for i in IMPORTS}
    assert {f"{PKG}.session._chat", f"{PKG}.api._client", f"{PKG}.draft"} <= sources
    assert Import(f"{PKG}.session._chat", f"{PKG}.session._watchdog", True, False) in IMPORTS


def test_no_import_cycle() -> None:
    edges: dict[str, set[str]] = {}
    for i in IMPORTS:
        if i.runtime and not i.lazy and _in(i.target, PKG) and i.target != i.source:
            edges.setdefault(i.source, set()).add(i.target)
    assert _cycles(edges) == []


def test_only_api_imports_httpx() -> None:
    users = {i.source for i in IMPORTS if _client(i) and i.target.split(".")[0] == "httpx"}
    assert users and all(_in(u, f"{PKG}.api") for u in users), sorted(users)


def test_progress_bars_are_drawn_by_the_workflow_only() -> None:
    users = {i.source for i in IMPORTS if _client(i) and i.target.split(".")[0] == "tqdm"}
    assert users and users <= {f"{PKG}.session._progress", f"{PKG}.demo"}, sorted(users)


def test_only_draft_imports_pandas_at_runtime() -> None:
    users = {
        i.source for i in IMPORTS if _client(i) and i.runtime and i.target.split(".")[0] == "pandas"
    }
    assert all(_in(u, f"{PKG}.draft") for u in users), sorted(users)


def test_the_workflow_never_imports_widgets() -> None:
    found = [
        i for i in IMPORTS if _in(i.source, f"{PKG}.session") and _in(i.target, f"{PKG}.widgets")
    ]
    assert found == []


def test_only_the_entry_points_load_the_offline_backend() -> None:
    users = {
        i.source for i in IMPORTS if _client(i) and i.runtime and _in(i.target, f"{PKG}.local")
    }
    assert users <= LOCAL_USERS, sorted(users - LOCAL_USERS)
    eager = [i for i in IMPORTS if _client(i) and _in(i.target, f"{PKG}.local") and not i.lazy]
    assert eager == []  # on first use only: the core install has no server dependencies


def test_the_workflow_and_wire_layers_import_at_the_top() -> None:
    lazy = [
        i
        for i in IMPORTS
        if (_in(i.source, f"{PKG}.session") or _in(i.source, f"{PKG}.api"))
        and i.lazy
        and i.target not in OPTIONAL
    ]
    assert lazy == []
