"""CI check: every module is in the `impcentral` action group of meta/runtime.yml, and nothing else is.

Runs as a script (exit status 1 on a mismatch); tests/unit/plugins/test_action_group.py runs it under pytest.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def mismatch() -> tuple[list, list]:
    modules = {p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if not p.stem.startswith("_")}
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    group = set(runtime.get("action_groups", {}).get("impcentral", []))
    return sorted(modules - group), sorted(group - modules)


if __name__ == "__main__":
    missing_modules, unknown_modules = mismatch()
    for name in missing_modules:
        print(f"meta/runtime.yml: module {name} is missing from action_groups.impcentral")
    for name in unknown_modules:
        print(f"meta/runtime.yml: action_groups.impcentral lists {name}, which is not a module")
    sys.exit(1 if missing_modules or unknown_modules else 0)
