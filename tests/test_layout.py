"""The two layers stay apart and nothing imports in a circle.

Domain code (HN client, cleaning, search, text generation, A3C) knows nothing of Dagster; the
Dagster layer of each package lives in its ``defs/`` folder, beside the entry points that run
Dagster (the CLIs, ``refresh``, ``demo``). An import cycle, even one inside a function, is a
sign that a shared type wants a module of its own.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hn_assets", "rl_assets")
#: Modules outside defs/ that use Dagster: the entry points that run it, the adapter that
#: builds a Dagster Config from a dataclass, and the settings, which check a cron value with
#: the validator of the scheduler that reads it (both import Dagster only when asked to).
RUN_DAGSTER = {
    "hn_assets.cli",
    "hn_assets.refresh",
    "hn_assets.demo",
    "hn_assets.config_adapter",
    "hn_assets.settings",
}


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = path
    return modules


def _imports(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


MODULES = _modules()


def _cycle_from(graph: dict[str, set[str]], path: tuple[str, ...]) -> tuple[str, ...] | None:
    for target in sorted(graph[path[-1]]):
        if target in path:
            return (*path[path.index(target) :], target)
        found = _cycle_from(graph, (*path, target))
        if found:
            return found
    return None


def test_no_module_imports_itself_in_a_circle():
    graph = {name: (_imports(path) & set(MODULES)) - {name} for name, path in MODULES.items()}
    cycles = {" -> ".join(c) for name in graph if (c := _cycle_from(graph, (name,)))}
    assert not cycles, cycles


@pytest.mark.parametrize("name", sorted(MODULES))
def test_only_the_dagster_layer_imports_dagster(name):
    if ".defs" in name or name in RUN_DAGSTER:
        return
    roots = {imported.split(".")[0] for imported in _imports(MODULES[name])}
    assert "dagster" not in roots, f"{name} is domain code and must not import dagster"


def test_the_layout_shows_the_two_layers():
    for package in PACKAGES:
        defs = ROOT / package / "defs"
        assert (defs / "definitions.py").is_file(), f"{package} wires its definitions in defs/"
    assert not (ROOT / "hn_assets" / "search" / "synthetic.py").exists()
