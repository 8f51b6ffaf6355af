#!/usr/bin/env python3
"""Check the import structure of the Python package ``jupyterlab_bioimage``.

Usage (from the repository root; standard library only)::

    python scripts/check_python_imports.py [--package-dir DIR]

Every ``.py`` file under the package is parsed with :mod:`ast` (nothing is imported or run),
and every ``import`` / ``from ... import`` statement counts -- also those inside functions,
methods, ``try`` blocks and ``if TYPE_CHECKING``, because a circle or a forbidden import that
happens only when a function runs still breaks, just later. From them the script builds the
graph of imports between the package's own modules and fails (exit status 1) when:

(a) there is an import circle (each one is reported with the file and line of every import);
(b) a module under ``kernel/`` imports one under ``server/``, tornado or jupyter_server;
(c) a module under ``server/`` imports one under ``kernel/``;
(d) ``kernel/`` or ``server/`` imports a package module outside its own folder other than the
    shared ones (``layout`` -- the cache layout and sha256 helper -- and the generated
    ``_version``), and the shared modules import neither side. Without (d) the two sides could
    still reach each other through a top-level module such as the ``analysis`` facade.

Importing ``a.b.c`` also runs the ``__init__`` of the packages ``a`` and ``a.b``; those
implicit imports are edges too (except into the importer's own enclosing packages, which are
already running), so a circle through a package ``__init__`` is found as well.

On success it prints a short summary: modules checked, import edges, "no circles".
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

PACKAGE = "jupyterlab_bioimage"
KERNEL = f"{PACKAGE}.kernel"
SERVER = f"{PACKAGE}.server"
#: The only package modules both sides may import (see the module docstring).
SHARED = {f"{PACKAGE}.layout", f"{PACKAGE}._version"}
#: Generated at build time (git-ignored): known even when the file is absent.
GENERATED = {f"{PACKAGE}._version"}
#: Third-party packages the kernel side (and the shared modules) must not import.
SERVER_ONLY_LIBRARIES = ("tornado", "jupyter_server")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    in_function: bool
    implicit: bool = False  # the __init__ of a package on the way to the imported module


def module_name(path: Path, package_dir: Path) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def collect_modules(package_dir: Path) -> dict[str, Path]:
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        modules[module_name(path, package_dir)] = path
    return modules


def role(module: str) -> str:
    for prefix, name in ((KERNEL, "kernel"), (SERVER, "server")):
        if module == prefix or module.startswith(prefix + "."):
            return name
    return "shared" if module in SHARED else "top"


def _ancestors(module: str, is_package: bool) -> set[str]:
    """The packages whose ``__init__`` has started when ``module`` runs (a package: itself too)."""
    parts = module.split(".")
    stop = len(parts) + 1 if is_package else len(parts)
    return {".".join(parts[:k]) for k in range(1, stop)}


class ImportVisitor(ast.NodeVisitor):
    """Collects every import statement with its line and whether it is inside a function."""

    def __init__(self) -> None:
        self.found: list[tuple[ast.AST, bool]] = []
        self._depth = 0

    def _function(self, node: ast.AST) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Import(self, node: ast.Import) -> None:
        self.found.append((node, self._depth > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.found.append((node, self._depth > 0))


class Graph:
    def __init__(self, package_dir: Path) -> None:
        self.package_dir = package_dir
        self.paths = collect_modules(package_dir)
        self.known = set(self.paths) | GENERATED
        self.packages = {m for m, p in self.paths.items() if p.name == "__init__.py"}
        self.edges: list[Edge] = []
        self._seen: set[Edge] = set()
        self.external: list[tuple[str, str, int]] = []  # (module, top-level library, line)
        self.problems: list[str] = []
        self.statements = 0
        self.statements_in_functions = 0
        for module, path in self.paths.items():
            self._scan(module, path)

    def where(self, module: str, line: Optional[int] = None) -> str:
        path = self.paths.get(module)
        rel = path.relative_to(self.package_dir.parent).as_posix() if path else module
        return f"{rel}:{line}" if line else rel

    def _known_prefix(self, dotted: str) -> Optional[str]:
        parts = dotted.split(".")
        for k in range(len(parts), 0, -1):
            candidate = ".".join(parts[:k])
            if candidate in self.known:
                return candidate
        return None

    def _add(self, source: str, target: str, line: int, in_function: bool) -> None:
        own = _ancestors(source, source in self.packages)
        parts = target.split(".")
        found = [Edge(source, ".".join(parts[:k]), line, in_function, implicit=True)
                 for k in range(1, len(parts))
                 if ".".join(parts[:k]) not in own and ".".join(parts[:k]) in self.known]
        if target != source:
            found.append(Edge(source, target, line, in_function))
        for edge in found:  # ``from x import a, b`` is one edge, not one per name
            if edge not in self._seen:
                self._seen.add(edge)
                self.edges.append(edge)

    def _scan(self, module: str, path: Path) -> None:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as err:
            self.problems.append(f"{self.where(module, err.lineno)}: cannot parse: {err.msg}")
            return
        visitor = ImportVisitor()
        visitor.visit(tree)
        self.statements += len(visitor.found)
        self.statements_in_functions += sum(1 for _, in_function in visitor.found if in_function)
        is_package = module in self.packages
        for node, in_function in visitor.found:
            line = node.lineno
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self._absolute(module, alias.name, line, in_function)
                continue
            assert isinstance(node, ast.ImportFrom)
            if node.level == 0:
                base = node.module or ""
            else:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                if node.level - 1 > len(parts) - 1:
                    self.problems.append(
                        f"{self.where(module, line)}: relative import beyond the package"
                    )
                    continue
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            if base != PACKAGE and not base.startswith(PACKAGE + "."):
                self._absolute(module, base, line, in_function)
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if alias.name != "*" and submodule in self.known:
                    self._add(module, submodule, line, in_function)
                else:
                    self._resolve(module, base, line, in_function)

    def _absolute(self, module: str, dotted: str, line: int, in_function: bool) -> None:
        if dotted == PACKAGE or dotted.startswith(PACKAGE + "."):
            self._resolve(module, dotted, line, in_function)
        elif dotted:
            self.external.append((module, dotted.split(".")[0], line))

    def _resolve(self, module: str, dotted: str, line: int, in_function: bool) -> None:
        target = self._known_prefix(dotted)
        if target is None:
            self.problems.append(f"{self.where(module, line)}: imports unknown module {dotted}")
        else:
            self._add(module, target, line, in_function)

    # ---------------------------------------------------------------- checks

    def adjacency(self) -> dict[str, list[Edge]]:
        adj: dict[str, list[Edge]] = {m: [] for m in self.known}
        for edge in self.edges:
            adj.setdefault(edge.source, []).append(edge)
        return adj

    def cycles(self) -> list[list[Edge]]:
        """One concrete circle per strongly connected component (Tarjan, iterative)."""
        adj = self.adjacency()
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        components: list[list[str]] = []
        counter = 0
        for root in sorted(adj):
            if root in index:
                continue
            work = [(root, iter(sorted({e.target for e in adj[root]})))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, children = work[-1]
                child = next(children, None)
                if child is not None:
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(sorted({e.target for e in adj.get(child, [])}))))
                    elif child in on_stack:
                        low[node] = min(low[node], index[child])
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    self_loop = any(e.target == node for e in adj.get(node, []))
                    if len(component) > 1 or self_loop:
                        components.append(sorted(component))
        return [self._circle_in(component, adj) for component in components]

    @staticmethod
    def _circle_in(component: list[str], adj: dict[str, list[Edge]]) -> list[Edge]:
        """A shortest circle through the component's first module (breadth-first)."""
        members = set(component)
        start = component[0]
        previous: dict[str, Edge] = {}
        frontier = [start]
        while frontier:
            following = []
            for node in frontier:
                for edge in sorted(adj.get(node, []), key=lambda e: (e.target, e.line)):
                    if edge.target not in members:
                        continue
                    if edge.target == start:
                        path = [edge]
                        while path[0].source != start:
                            path.insert(0, previous[path[0].source])
                        return path
                    if edge.target not in previous:
                        previous[edge.target] = edge
                        following.append(edge.target)
            frontier = following
        raise AssertionError("a strongly connected component without a circle")

    def role_violations(self) -> list[str]:
        out = []
        for edge in self.edges:
            src, dst = role(edge.source), role(edge.target)
            how = self._how(edge)
            if src == "kernel" and dst == "server":
                out.append(f"(b) kernel imports server: {how}")
            elif src == "server" and dst == "kernel":
                out.append(f"(c) server imports kernel: {how}")
            elif src in ("kernel", "server") and dst not in (src, "shared"):
                out.append(
                    f"(d) {src}/ may import only {src}/ and the shared modules "
                    f"({', '.join(sorted(SHARED))}): {how}"
                )
            elif src == "shared" and dst != "shared":
                out.append(f"(d) the shared module imports {dst} code: {how}")
        for module, library, line in self.external:
            if role(module) in ("kernel", "shared") and library in SERVER_ONLY_LIBRARIES:
                out.append(
                    f"(b) {role(module)} code imports the server library {library}: "
                    f"{self.where(module, line)}"
                )
        return out

    def _how(self, edge: Edge) -> str:
        notes = [n for n, on in (("in a function", edge.in_function),
                                 ("package __init__ on the way", edge.implicit)) if on]
        extra = f" ({', '.join(notes)})" if notes else ""
        return f"{self.where(edge.source, edge.line)} imports {edge.target}{extra}"


def main(argv: Optional[list[str]] = None) -> int:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package-dir", type=Path, default=root / PACKAGE,
                        help=f"the {PACKAGE} folder to check (default: this checkout's)")
    parser.add_argument("--edges", action="store_true",
                        help="also print every import edge between package modules")
    args = parser.parse_args(argv)
    package_dir = args.package_dir.resolve()
    if not (package_dir / "__init__.py").is_file() or package_dir.name != PACKAGE:
        print(f"check_python_imports: {package_dir} is not a {PACKAGE} package folder",
              file=sys.stderr)
        return 2

    graph = Graph(package_dir)
    if args.edges:
        for edge in sorted(graph.edges, key=lambda e: (e.source, e.line, e.target)):
            print(graph._how(edge))
    problems = list(graph.problems)
    for circle in graph.cycles():
        chain = " -> ".join([circle[0].source] + [e.target for e in circle])
        lines = "; ".join(graph._how(e) for e in circle)
        problems.append(f"(a) import circle: {chain}\n      {lines}")
    problems.extend(graph.role_violations())

    if problems:
        print(f"check_python_imports: {len(problems)} problem(s) in {package_dir}:",
              file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1

    edges = {(e.source, e.target) for e in graph.edges}
    only_in_functions = edges - {(e.source, e.target) for e in graph.edges if not e.in_function}
    roles: dict[str, int] = {}
    for module in graph.paths:
        roles[role(module)] = roles.get(role(module), 0) + 1
    print(
        f"check_python_imports: {len(graph.paths)} modules checked, "
        f"{graph.statements} import statements ({graph.statements_in_functions} inside "
        f"functions), {len(edges)} import edges between package modules "
        f"({len(only_in_functions)} made only inside functions)"
    )
    print("  modules by role: " + ", ".join(f"{k} {v}" for k, v in sorted(roles.items())))
    print("  no circles; kernel/ does not import server/ (nor tornado, jupyter_server); "
          "server/ does not import kernel/; both import only "
          + " and ".join(sorted(SHARED)) + " outside their folder")
    return 0


if __name__ == "__main__":
    sys.exit(main())
