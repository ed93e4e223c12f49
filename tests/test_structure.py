"""The project's structure: no module imports, directly or through others, a module importing it.

Imports inside functions count too: a cycle hidden in a function is still a cycle, only later.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["applications", "csc_careers", "positions"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def imported_modules(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """Return the project modules the file imports, wherever in the file the import is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from positions.models import postings" names a module; "… import JobPosting" not.
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            if candidate in modules:
                found.add(candidate)
                break
    found.discard(name)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of the graph as a list of modules (the first repeated last), or None."""
    visiting, done = [], set()

    def visit(node):
        if node in visiting:
            return [*visiting[visiting.index(node) :], node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph[node]):
            if cycle := visit(target):
                return cycle
        visiting.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if cycle := visit(node):
            return cycle
    return None


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imported_modules(path, name, modules) for name, path in modules.items()}


def test_no_module_takes_part_in_an_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "Import cycle: " + " → ".join(cycle)


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"a"}}, ["a", "a"]),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert find_cycle(graph) == expected


def test_imports_inside_functions_are_seen(tmp_path):
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "models.py"
    module.write_text("def move():\n    from pkg.tasks import send\n")
    modules = {"pkg.models": module, "pkg.tasks": tmp_path / "pkg" / "tasks.py"}
    assert imported_modules(module, "pkg.models", modules) == {"pkg.tasks"}
