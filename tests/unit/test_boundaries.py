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
        "import ansible_collections.electricimp.impcentral.plugins.module_utils.client\n"
        "print(sorted(m for m in sys.modules if m == 'requests' or m == 'ansible' or m.startswith('ansible.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
