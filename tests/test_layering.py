"""The layers stay layers (issue 10): read from the code itself, the C++ include
graph and the Python import graph have no cycles, and nothing includes or
imports from a layer above its own. A new file must be given a layer here, so
the map below is the architecture, checked."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CSRC = ROOT / "csrc" / "engine"
PACKAGE = ROOT / "engine"

# C++: what each folder may include. core is the matching book and nothing
# else; regnms (the Venue) and feed (replay) each stand on core alone; tools
# may use feed's formats; the top-level files put a product together (engine.hpp,
# the umbrella a venue prototype includes, pulls in no tools).
CPP_MAY_INCLUDE = {
    "core": {"core"},
    "regnms": {"core", "regnms"},
    "feed": {"core", "feed"},
    "tools": {"core", "feed", "tools"},
    "top": {"core", "regnms", "feed", "top"},
}

# Python: a module may import its own layer and those below it, never above.
PY_LAYERS = [
    # 0: plain values the compiled core hands back
    {"engine.enums", "engine.views"},
    # 1: the compiled core (engine/_core.pyx and its .pxi parts)
    {"engine._core", "engine._version"},
    # 2: the library's top-level API
    {"engine", "engine.dtypes", "engine.prices", "engine.events", "engine.flow", "engine.tables", "engine.feed"},
    # 3: services over that API
    {"engine.journal", "engine.replay", "engine.surveil", "engine.quotes", "engine.demo", "engine.bench"},
    # 4: the application: the command line
    {"engine.cli", "engine.__main__"},
]


def cpp_layer(path: Path) -> str:
    rel = path.relative_to(CSRC)
    return rel.parts[0] if len(rel.parts) > 1 else "top"


def cpp_graph() -> dict[Path, set[Path]]:
    graph: dict[Path, set[Path]] = {}
    for header in sorted(CSRC.rglob("*.hpp")):
        targets = set()
        for name in re.findall(r'^\s*#\s*include\s+"([^"]+)"', header.read_text(), re.M):
            target = (header.parent / name).resolve()
            assert target.is_file(), f"{header.relative_to(ROOT)} includes {name}, which is not there"
            targets.add(target)
        graph[header.resolve()] = targets
    return graph


def python_sources() -> dict[str, list[Path]]:
    """Module name -> its source files (the extension is its .pyx and .pxi parts)."""
    modules: dict[str, list[Path]] = {}
    for f in sorted(PACKAGE.rglob("*.py")):
        parts = list(f.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = [f]
    modules["engine._core"] = sorted(PACKAGE.glob("_core*.pyx")) + sorted(PACKAGE.glob("_core*.pxi"))
    return modules


def imported(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The engine modules a source imports, wherever the import statement sits
    (an import inside a function is a dependency too)."""
    # Cython's cimport lines are compile-time, not Python imports
    source = "\n".join(line for line in source.splitlines() if "cimport" not in line)
    # a .pyx/.pxi is not Python: keep only its import statements
    if not module.endswith(("_core",)):
        tree = ast.parse(source)
    else:
        tree = ast.parse("\n".join(line.strip() for line in _import_statements(source)))
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {m for m in found if m == "engine" or m.startswith("engine.")}


def _import_statements(source: str) -> list[str]:
    """Import statements of a Cython file, joined across parenthesised lines."""
    out, pending = [], ""
    for line in source.splitlines():
        stripped = line.strip()
        if pending:
            pending += " " + stripped
            if ")" in stripped:
                out.append(pending)
                pending = ""
        elif re.match(r"(from\s+\S+\s+import|import)\s", stripped):
            if "(" in stripped and ")" not in stripped:
                pending = stripped
            else:
                out.append(stripped)
    return out


def python_graph() -> dict[str, set[str]]:
    sources = python_sources()
    known = set(sources)
    graph = {}
    for module, files in sources.items():
        is_package = files[0].name == "__init__.py"
        deps: set[str] = set()
        for f in files:
            deps |= imported(f.read_text(), module, is_package, known)
        graph[module] = deps - {module}
    return graph


def py_layer(module: str) -> int:
    """The layer of the longest entry that names the module or a package above it
    (the package ``engine`` itself names only its ``__init__``)."""
    matches = [(len(m), rank) for rank, members in enumerate(PY_LAYERS) for m in members
               if module == m or (m != "engine" and module.startswith(m + "."))]
    assert matches, f"{module} has no layer: add it to PY_LAYERS in {Path(__file__).name}"
    return max(matches)[1]


def find_cycle(graph: dict) -> list | None:
    """One cycle of the graph as a path, or None (depth-first, three colours)."""
    state: dict = {}
    stack: list = []

    def visit(node) -> list | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ()), key=str):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph, key=str):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cpp_folders_are_the_layers():
    folders = {p.name for p in CSRC.iterdir() if p.is_dir()}
    assert folders == set(CPP_MAY_INCLUDE) - {"top"}, "a new folder needs a place in CPP_MAY_INCLUDE"


def test_cpp_includes_run_down_the_layers():
    wrong = []
    for header, targets in cpp_graph().items():
        allowed = CPP_MAY_INCLUDE[cpp_layer(header)]
        wrong += [f"{header.relative_to(CSRC)} -> {t.relative_to(CSRC)}"
                  for t in sorted(targets) if cpp_layer(t) not in allowed]
    assert wrong == []


def test_cpp_include_graph_has_no_cycle():
    cycle = find_cycle(cpp_graph())
    assert cycle is None, " -> ".join(str(p.relative_to(CSRC)) for p in cycle)


def test_the_book_knows_nothing_of_reg_nms():
    """The matching machinery in core/ names no Reg NMS machinery in its code
    (comments may say what plugs in). types.hpp and records.hpp are exempt: they
    are the shared vocabulary, every code and record that crosses to Python."""
    for header in sorted((CSRC / "core").glob("*.hpp")):
        if header.name in ("types.hpp", "records.hpp"):
            continue
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", header.read_text(), flags=re.S)
        for word in ("ProtectedQuote", "QuoteUpdate", "trade_through", "TradeThrough", "Venue", "regnms", "nms",
                     "self_help", "SelfHelp", "Fee", "Rule611", "route_to", "protected"):
            assert not re.search(rf"(?i)\b\w*{word}\w*\b", code) or word == "protected" and _only_access(code), \
                f"{header.name} uses {word}"


def _only_access(code: str) -> bool:
    """``protected:`` the C++ access specifier is not a protected quotation."""
    return re.sub(r"\bprotected\s*:", "", code).lower().count("protected") == 0


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return [f"{m} (layer {py_layer(m)}) imports {d} (layer {py_layer(d)})"
            for m, deps in sorted(graph.items()) for d in sorted(deps) if py_layer(d) > py_layer(m)]


def test_python_imports_run_down_the_layers():
    assert upward_imports(python_graph()) == []


def test_python_import_graph_has_no_cycle():
    cycle = find_cycle(python_graph())
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("source, module", [
    ("from engine.cli import main", "engine.replay.build"),
    ("def f():\n    import engine.journal", "engine.prices"),  # a hidden import counts too
    ("from engine import _core", "engine.views"),
])
def test_the_checks_catch_a_wrong_import(source, module):
    """The checks themselves: an upward import is reported, and so is a cycle."""
    graph = python_graph()
    graph[module] |= imported(source, module, False, set(graph))
    assert upward_imports(graph) != []
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graphs_are_read():
    """A guard on the reader: known edges are seen."""
    py = python_graph()
    assert "engine.replay.decode" in py["engine.replay.build"]
    assert "engine.views" in py["engine._core"]
    assert "engine.replay" in py["engine.cli.replay"]
    cpp = cpp_graph()
    assert (CSRC / "core" / "book.hpp").resolve() in cpp[(CSRC / "regnms" / "venue.hpp").resolve()]


def test_every_python_package_ships_in_the_wheel():
    """engine.surveil was once left out of pyproject's package list (so a
    non-editable install had no ``surveil`` command): the packaging now finds
    every package under engine/, checked here against the folders."""
    tomllib = pytest.importorskip("tomllib")
    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert isinstance(config["packages"], dict), "list no packages by hand: packages.find includes them all"
    shipped = set(find_packages(str(ROOT), include=config["packages"]["find"]["include"]))
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert folders <= shipped and {"engine.surveil", "engine.replay", "engine.cli"} <= shipped
