"""The layout keeps its layers (docs/architecture.md): realtime/ imports no area, and no area
imports another area's routes. Read from the source, so a new import that breaks a layer
fails here."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "taskflow"
AREAS = ("accounts", "boards", "chat", "notifications")


def imports(path: Path) -> set[str]:
    """The taskflow modules a file imports (from x import y counts x.y too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("taskflow"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("taskflow"))
    return found


def module_name(path: Path) -> str:
    return "taskflow." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def route_modules() -> set[str]:
    return {
        module_name(path)
        for area in AREAS
        for path in (PACKAGE / area).glob("*.py")
        if "Blueprint(" in path.read_text()
    }


def test_realtime_imports_no_area():
    for path in (PACKAGE / "realtime").glob("*.py"):
        wrong = {m for m in imports(path) if m.split(".")[1:2] and m.split(".")[1] in AREAS}
        assert not wrong, f"{path.name} imports {wrong}"


def test_no_area_imports_another_areas_routes():
    routes = route_modules()
    assert "taskflow.chat.rooms" in routes and "taskflow.chat.service" not in routes
    for area in AREAS:
        for path in (PACKAGE / area).glob("*.py"):
            foreign = {m for m in imports(path) & routes if m.split(".")[1] != area}
            assert not foreign, f"{area}/{path.name} imports {foreign}"
