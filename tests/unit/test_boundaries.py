"""The architecture's boundaries: the import contracts (.importlinter) and the few rules imports cannot express.

Who may import what is import-linter's job (`lint-imports`, run by `make lint`); this file runs it once so the
unit suite fails too, and checks on the source what is not an import: ``requests`` loaded lazily, raw resources
read through the shared helpers, no identification order and no hand-built delete plan in a front end.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "plugins" / "module_utils"
CORE = [path for part in ("common", "api", "workflows") for path in sorted((CLIENT / part).glob("*.py"))]


def test_the_import_contracts_hold(tmp_path) -> None:
    """The layers, the emulator apart, the console without Ansible: every contract of .importlinter."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        lint_imports = Path(shutil.which("lint-imports") or "lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_client_imports_requests_only_lazily(path: Path) -> None:
    """Module-level vs function-level is not an import contract: `import ...client` must stay cheap."""
    assert "requests" not in _top_level_imports(path), f"{path.name} imports requests at module level"


def test_importing_the_client_and_workflows_loads_neither_requests_nor_ansible() -> None:
    probe = (
        "import sys\n"
        "import ansible_collections.electricimp.impcentral.plugins.module_utils.api.client\n"
        "import ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes\n"
        "import ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow\n"
        "print(sorted(m for m in sys.modules if m == 'requests' or m == 'ansible' or m.startswith('ansible.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


# -- what the workflows own, checked on the code of the front ends -----------------------------------------

FRONT_ENDS = [
    ROOT / "impt",
    *(ROOT / "plugins" / part for part in ("modules", "lookup", "action", "inventory", "plugin_utils")),
    CLIENT / "glue",
]
# Attributes impt's identification tries (seed 000): a front-end function comparing two of one kind is
# writing its own identification order.
IDENTIFICATION_SETS = ({"email", "username"}, {"mac_address", "agent_id"}, {"sha", "tags", "origin"})
# A DeletePlan's collecting calls: only the builders of workflows/deletes.py make them.
PLAN_COLLECTING = {"unassign_device", "unflag_build", "remove_device", "add_device_group"}


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
    """Front ends and the client alike: only common/resources.py reads a resource's attributes directly."""
    readers = front_end_files() + [p for p in CORE if p.name != "resources.py"]
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


def test_front_ends_write_no_identification_order() -> None:
    offending = []
    for path in front_end_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                compared = _compared_attributes(node)
                for names in IDENTIFICATION_SETS:
                    if len(compared & names) >= 2:
                        offending.append(f"{_where(path, node)} compares {sorted(compared & names)}")
    assert not offending, offending


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def test_front_ends_build_no_delete_plan_by_hand() -> None:
    """Every delete is a builder of workflows/deletes.py: a front end never constructs or fills a DeletePlan
    (whatever its function is called), and defines no plan, follower or pump class of its own."""
    offending = []
    for path in front_end_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called_name(node) in PLAN_COLLECTING | {"DeletePlan"}:
                offending.append(f"{_where(path, node)} calls {_called_name(node)}()")
            if isinstance(node, ast.ClassDef) and any(word in node.name for word in ("Plan", "Follower", "Pump")):
                offending.append(f"{_where(path, node)} defines class {node.name}")
    assert not offending, offending


def test_emulator_routes_read_the_store_only_through_the_models() -> None:
    """Routes translate HTTP; every read, list filter and visibility rule is a model query (models/*.py)."""
    offending = []
    for path in sorted((ROOT / "impcentral_emulator" / "routes").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "store":
                offending.append(_where(path, node))
    assert not offending, f"routes reading the store around the models: {offending}"
