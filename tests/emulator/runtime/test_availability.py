"""Where `squirrel` cannot be imported the package still imports and says why execution is off."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
sys.modules["squirrel"] = None  # what an import of a missing extension looks like
from impcentral_emulator import runtime
print(runtime.available())
print(runtime.unavailable_reason())
"""


def test_without_squirrel_the_package_imports_and_gives_one_reason():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    available, reason = result.stdout.splitlines()
    assert available == "False"
    assert reason.startswith("Squirrel execution is off: the squirrel-lang extension cannot be imported")
    assert result.stderr == ""


def test_with_squirrel_it_is_available():
    from impcentral_emulator import runtime

    assert runtime.available()
    assert runtime.unavailable_reason() is None
