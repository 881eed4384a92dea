"""The layers: core imports no app, each app imports only those below it, nothing imports the
project shell, and no module imports itself through others. Tests are left out: they may
drive the layers from above."""

import ast
from pathlib import Path

from django.conf import settings

# Bottom to top; a package may import only those before it (and itself).
LAYERS = ["core", "accounts", "menus", "orders", "kitchen", "reports", "tableorder"]
ROOT = Path(settings.BASE_DIR)


def modules():
    """{module name: the project modules it imports}, for every non-test module of the layers."""
    found = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = imported(ast.parse(path.read_text()))
    return {name: {target for target in targets if target.split(".")[0] in LAYERS} for name, targets in found.items()}


def imported(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_every_import_points_down_the_layers():
    upward = [
        (name, target)
        for name, targets in modules().items()
        for target in targets
        if LAYERS.index(target.split(".")[0]) > LAYERS.index(name.split(".")[0])
    ]
    assert upward == []


def test_the_shell_is_imported_by_no_app():
    shell = [
        (name, target) for name, targets in modules().items() for target in targets if target.startswith("tableorder")
    ]
    assert [(name, target) for name, target in shell if not name.startswith("tableorder")] == []


def test_no_module_imports_itself_through_others():
    graph = modules()
    graph = {
        name: {target for target in targets if target in graph and target != name} for name, targets in graph.items()
    }
    cycles = []
    for start in graph:
        seen, stack = set(), [(start, (start,))]
        while stack:
            name, path = stack.pop()
            for target in graph[name]:
                if target == start:
                    cycles.append(path)
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, (*path, target)))
    assert cycles == []


def test_the_print_agent_stands_alone():
    """printagent/ runs on a restaurant's mini PC: the standard library only, none of the project."""
    import sys

    found = set()
    for path in (ROOT / "printagent").rglob("*.py"):
        if "tests" not in path.relative_to(ROOT).parts:
            found |= {name.split(".")[0] for name in imported(ast.parse(path.read_text()))}
    assert {name for name in found if name not in sys.stdlib_module_names and name != "printagent"} == set()
