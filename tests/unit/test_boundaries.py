"""The architecture's boundaries, checked on the source: who may import what."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "plugins" / "module_utils"


def imported_modules(path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_emulator_imports_nothing_from_the_client() -> None:
    """The two meet only over HTTP, so a misunderstanding of the wire cannot confirm itself."""
    for path in (ROOT / "impcentral_emulator").rglob("*.py"):
        offending = {name for name in imported_modules(path) if "ansible_collections" in name or "module_utils" in name}
        assert not offending, f"{path.relative_to(ROOT)} imports {offending}"


def test_client_core_imports_no_ansible_and_requests_only_lazily() -> None:
    for path in CLIENT.glob("*.py"):
        if path.name.startswith("glue_") and path.name != "glue_auth.py":
            continue
        everywhere = imported_modules(path)
        assert not any(name == "ansible" or name.startswith("ansible.") for name in everywhere), path.name
        assert "requests" not in imported_modules(path, top_level_only=True), f"{path.name} imports requests eagerly"


def test_importing_the_client_loads_neither_requests_nor_ansible() -> None:
    probe = (
        "import sys\n"
        "import ansible_collections.electricimp.impcentral.plugins.module_utils.api.client\n"
        "print(sorted(m for m in sys.modules if m == 'requests' or m == 'ansible' or m.startswith('ansible.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


# -- the workflows live in module_utils: front ends call them and never re-implement them ---------------

FRONT_ENDS = [ROOT / "impt", *(ROOT / "plugins" / part for part in ("modules", "lookup", "action", "plugin_utils"))]
# Attributes impt's identification tries (seed 000): a front-end function comparing two of one kind is
# writing its own identification order.
IDENTIFICATION_SETS = ({"email", "username"}, {"mac_address", "agent_id"}, {"sha", "tags", "origin"})


def front_end_files() -> list[Path]:
    return sorted(path for folder in FRONT_ENDS if folder.is_dir() for path in folder.rglob("*.py"))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def _is_attributes_read(node: ast.AST) -> bool:
    """``x["attributes"]`` or ``x.get("attributes")``: reading a raw resource's attributes."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        key = node.slice
        return isinstance(key, ast.Constant) and key.value == "attributes"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop"):
        return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == "attributes"
    return False


def test_front_ends_read_resources_through_the_resource_helpers() -> None:
    """Front ends and the client alike: only resources.py reads a resource's attributes directly."""
    readers = front_end_files() + sorted(p for p in CLIENT.glob("*.py") if p.name != "resources.py")
    offending = [
        _where(path, node)
        for path in readers
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _is_attributes_read(node)
    ]
    assert not offending, f'read "attributes" with resources.attr()/attributes(): {offending}'


def _compared_attributes(function: ast.AST) -> set[str]:
    """String constants that take part in comparisons inside ``function``."""
    found: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Compare):
            found.update(c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str))
    return found


def test_front_ends_define_no_delete_plan_follower_or_identification_order() -> None:
    offending = []
    for path in front_end_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(word in node.name for word in ("Plan", "Follower", "Pump")):
                offending.append(f"{_where(path, node)} defines class {node.name}")
            if isinstance(node, ast.FunctionDef):
                if node.name.startswith("plan_"):
                    offending.append(f"{_where(path, node)} defines {node.name}()")
                compared = _compared_attributes(node)
                for names in IDENTIFICATION_SETS:
                    if len(compared & names) >= 2:
                        offending.append(
                            f"{_where(path, node)} compares {sorted(compared & names)}: an identification order"
                        )
    assert not offending, offending


def test_front_ends_follow_logs_through_the_follower() -> None:
    """``LogPump`` and ``logs.follow()`` are the follower's parts; front ends use ``follow.LogFollower``."""
    offending = []
    for path in front_end_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("module_utils.api.logs"):
                names = {alias.name for alias in node.names}
                if names & {"LogPump", "StreamStop"}:
                    offending.append(f"{_where(path, node)} imports {sorted(names & {'LogPump', 'StreamStop'})}")
            if isinstance(node, ast.Attribute) and node.attr == "follow" and isinstance(node.value, ast.Attribute):
                if node.value.attr == "logs":
                    offending.append(f"{_where(path, node)} calls logs.follow()")
    assert not offending, offending
