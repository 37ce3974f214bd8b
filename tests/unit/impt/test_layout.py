"""The console's layout: one package per command group, imports that flow one way, a renderer that fetches nothing."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from impt import commands

IMPT = Path(commands.__file__).resolve().parent.parent
GROUPS = [g for g in commands.GROUP_DESCRIPTIONS if g != "completion"]
PACKAGES = [commands.package_of(g) for g in GROUPS]


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (`from a import b` counts `a` and `a.b`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _group_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["impt", "commands"] else None


def test_every_group_folder_is_seen_by_git_and_ruff():
    """A folder named like build output (`build/`, `dist/`) would be ignored by git and skipped by ruff."""
    assert not {"build", "dist", "_build", "venv"} & set(PACKAGES)


def test_no_product_file_is_named_like_a_test():
    names = [p.relative_to(IMPT) for p in IMPT.rglob("*.py") if p.name.startswith("test_") or p.stem.endswith("_test")]
    assert names == []


def test_every_group_is_a_package_of_its_own():
    assert commands.available_groups() == GROUPS
    for package in PACKAGES:
        assert (IMPT / "commands" / package / "__init__.py").is_file()
    assert sorted(p.name for p in (IMPT / "commands").glob("*.py")) == ["__init__.py"]


def test_shared_modules_never_import_a_command_group():
    for path in IMPT.glob("*.py"):
        groups = {_group_of(m) for m in _imports(path)} - {None}
        assert not groups, f"{path.name} imports the group(s) {sorted(groups)}"


def test_no_group_imports_another_group():
    for group in PACKAGES:
        for path in (IMPT / "commands" / group).rglob("*.py"):
            others = {_group_of(m) for m in _imports(path)} - {None, group}
            assert not others, f"{path.relative_to(IMPT)} imports the group(s) {sorted(others)}"


def test_helpers_beside_a_group_never_climb_back_to_its_table():
    """A group's `__init__` (its table) imports its helpers; a helper takes only sibling modules from the package."""
    for group in PACKAGES:
        folder = IMPT / "commands" / group
        siblings = {p.stem for p in folder.glob("*.py")} - {"__init__"}
        for path in folder.glob("*.py"):
            if path.name == "__init__.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == f"impt.commands.{group}":
                    taken = {alias.name for alias in node.names}
                    assert taken <= siblings, (
                        f"{path.relative_to(IMPT)} takes {sorted(taken - siblings)} from the table"
                    )


def test_rendering_fetches_nothing():
    """display.py gets everything it shows as arguments: no client, context, catalog or identification."""
    imported = _imports(IMPT / "display.py")
    assert not {m for m in imported if m.startswith("impt.")}
    shared = {m.split(".")[6] for m in imported if m.startswith("ansible_collections.") and m.count(".") >= 6}
    assert shared <= {"constants", "resources"}  # words and resource readers, never the client


def test_raw_resources_are_read_through_the_shared_helpers():
    """No `x.get("attributes")` / `x.get("relationships")` in impt: resources.attr / rel_id read them."""
    for path in IMPT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert '"attributes"' not in text and '"relationships"' not in text, path.relative_to(IMPT)


def test_the_type_choices_are_the_shared_table_of_device_group_types():
    from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import DEVICE_GROUP_TYPES

    from impt import options

    assert options.DG_TYPE_NAMES == tuple(t.name for t in DEVICE_GROUP_TYPES)


def test_no_second_delete_plan_or_follower_in_impt():
    """Deletes and log following are the shared workflows (plans.py, follow.py); impt only renders them."""
    for path in IMPT.rglob("*.py"):
        imported = _imports(path)
        assert not any(m.endswith(("module_utils.api.logs.LogPump", "module_utils.api.logs")) for m in imported), (
            path.name
        )
        text = path.read_text(encoding="utf-8")
        assert "class DeletePlan" not in text and "def _is_not_found" not in text, path.name


def test_top_level_help_imports_no_group():
    code = (
        "import io, sys\n"
        "from impt.main import main\n"
        "main(['--help'], stdout=io.StringIO(), stderr=io.StringIO())\n"
        "print(sorted(m for m in sys.modules if m.startswith(('impt.commands.', 'ansible_collections'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
