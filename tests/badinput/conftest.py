"""Bad-input suite: shared runner fixtures and a terminal summary of how many cases were tried."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reliability"))

from relsuite import Impt  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"
_TRIED: Counter = Counter()


@pytest.fixture
def tried() -> Counter:
    """Count cases per kind: `tried["console corpus"] += 1`; summed up at the end of the run."""
    return _TRIED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if _TRIED:
        terminalreporter.section("bad input cases tried")
        for kind, count in sorted(_TRIED.items()):
            terminalreporter.write_line(f"{kind}: {count}")
        terminalreporter.write_line(f"total: {sum(_TRIED.values())}")


@pytest.fixture
def impt_in(emulator, tmp_path) -> Impt:
    """impt logged in to the demo account with a local auth file in its working directory."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    runner = Impt(work, home, emulator.base_url)
    runner.login("demo", "demo-password", "--local")
    return runner
