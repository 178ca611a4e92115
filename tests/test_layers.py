"""The layout keeps its layers (docs/architecture.md), read from the source, so a new import
that breaks one fails here, naming each import at fault.

Top to bottom: the app (the factory, the CLI, the demo) → search → boards → chat →
notifications → accounts → the shared modules (taskflow/*.py, models/) → realtime/. A module
imports only its own area and the layers below it, and never another area's route modules
(those that declare routes, socket routes included). No module imports itself through others, and no
package through others. Every import counts: at the top of a module, inside a function
("imported when used") or for type checking only, with one exception: the models name each
other in their relationships as strings, and their methods import each other when used
(models/board.py imports Column in a method): those imports inside models/ functions are
not counted."""

import ast
from collections import deque
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "taskflow"
ORDER = ("app", "search", "boards", "chat", "notifications", "accounts", "shared", "realtime")
AREAS = ("search", "boards", "chat", "notifications", "accounts")
APP = {"taskflow", "taskflow.cli", "taskflow.demo"}  # above every area: they use them all
# The transport imports no area. Of the shared modules it uses only these, which hold the
# extensions' instances and the id converter, no logic (extensions.py creates realtime's
# Broadcaster): not counted as an upward import nor as a loop between packages.
WIRING = {"taskflow.extensions", "taskflow.converters"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


@cache
def tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text())


def nodes(module: str):
    """The module's syntax, less the bodies of functions of models/ (see above)."""
    if not module.startswith("taskflow.models"):
        yield from ast.walk(tree(module))
        return
    todo = [tree(module)]
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            todo.extend(ast.iter_child_nodes(node))


@cache
def imports(module: str) -> frozenset[str]:
    """The taskflow modules a module imports, anywhere in it: `from a import b` is a.b when
    that is a module, else a."""
    found = set()
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for node in nodes(module):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1]])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return frozenset(m for m in found if m in MODULES and m != module)


def layer(module: str) -> str:
    if module in APP:
        return "app"
    part = module.split(".")[1] if "." in module else ""
    if part in AREAS or part == "realtime":
        return part
    return "shared"  # taskflow/*.py and models/


def package(module: str) -> str:
    """What a loop between packages is counted on: an area, realtime, or the shared layer."""
    return layer(module)


def declares_routes(module: str) -> bool:
    """A route module: it makes a blueprint or declares routes on one (socket routes too)."""
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in ("Blueprint", "route"):
                return True
    return False


def socket_routes() -> dict[str, str]:
    """Each socket endpoint's path (`@sock.route(...)`) and the module that declares it."""
    found = {}
    for module in MODULES:
        for node in ast.walk(tree(module)):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                func = call.func if call else None
                if isinstance(func, ast.Attribute) and func.attr == "route":
                    if isinstance(func.value, ast.Name) and func.value.id == "sock":
                        found[ast.literal_eval(call.args[0])] = module
    return found


def edges() -> list[tuple[str, str]]:
    return sorted((module, imported) for module in MODULES for imported in imports(module))


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of more than one node: each holds at least one loop."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def a_loop(graph: dict[str, set[str]], start: str, within: set[str]) -> list[str]:
    """The shortest way from `start` back to itself inside one component."""
    came_from = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph.get(node, ()) & within):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return [start]


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """One loop through each node of each component: enough to see every import to undo."""
    found, seen = [], set()
    for component in strongly_connected(graph):
        for node in component:
            loop = a_loop(graph, node, set(component))
            if frozenset(pairs(loop)) not in seen:  # each loop once, from wherever it starts
                seen.add(frozenset(pairs(loop)))
                found.append(loop)
    return found


def pairs(loop: list[str]) -> list[tuple[str, str]]:
    return [(loop[i], loop[i + 1]) for i in range(len(loop) - 1)]


def report(title: str, wrong: list[str]) -> str:
    return f"{len(wrong)} {title}:\n  " + "\n  ".join(wrong)


def test_no_import_cycle_between_modules():
    graph: dict[str, set[str]] = {}
    for module, imported in edges():
        graph.setdefault(module, set()).add(imported)
    wrong = [" -> ".join(loop) for loop in loops(graph)]
    if wrong:
        pytest.fail(report("import cycles between modules", wrong), pytrace=False)


def test_no_import_cycle_between_packages():
    graph: dict[str, set[str]] = {}
    why: dict[tuple[str, str], list[str]] = {}
    for module, imported in edges():
        a, b = package(module), package(imported)
        if a != b and not (a == "realtime" and imported in WIRING):
            graph.setdefault(a, set()).add(b)
            why.setdefault((a, b), []).append(f"{module} imports {imported}")
    wrong = []
    for loop in loops(graph):
        steps = [f"{a} -> {b} ({'; '.join(why[a, b][:3])})" for a, b in pairs(loop)]
        wrong.append(" -> ".join(loop) + ":\n    " + "\n    ".join(steps))
    if wrong:
        pytest.fail(report("import cycles between packages", wrong), pytrace=False)


def test_each_layer_imports_only_its_own_and_those_below():
    wrong = []
    for module, imported in edges():
        mine, theirs = layer(module), layer(imported)
        if mine == "realtime" and imported in WIRING:
            continue
        if ORDER.index(theirs) < ORDER.index(mine):
            wrong.append(f"{module} ({mine}) imports {imported} ({theirs}, above it)")
    if wrong:
        pytest.fail(report("imports of a layer above", wrong), pytrace=False)


def test_no_module_imports_another_areas_routes():
    routes = {module for module in MODULES if declares_routes(module)}
    assert {"taskflow.chat.rooms", "taskflow.chat.sockets"} <= routes
    assert "taskflow.chat.service" not in routes
    wrong = [
        f"{module} imports {imported}, a route module of {layer(imported)}"
        for module, imported in edges()
        if imported in routes and layer(imported) in AREAS and layer(imported) != layer(module)
    ]
    if wrong:
        pytest.fail(report("imports of another area's routes", wrong), pytrace=False)


def test_socket_routes_belong_to_their_areas():
    """Socket endpoints are declared in their area's modules (route modules: the rules above
    cover them), never in the transport or the shared modules."""
    found = socket_routes()
    assert {"/ws/chat-room/<int:room_id>", "/ws/board/<int:board_id>"} <= set(found)
    wrong = [
        f"{path} is declared in {module}"
        for path, module in found.items()
        if layer(module) not in AREAS
    ]
    if wrong:
        pytest.fail(report("socket routes outside an area", wrong), pytrace=False)
    assert all(declares_routes(module) for module in found.values())


def test_realtime_imports_no_area():
    wrong = [
        f"{module} imports {imported}"
        for module, imported in edges()
        if layer(module) == "realtime" and layer(imported) in AREAS
    ]
    if wrong:
        pytest.fail(report("imports of an area by the transport", wrong), pytrace=False)
