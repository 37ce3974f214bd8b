"""Two accounts on one emulator (issue 22): the victim's figures under every attack, against the 100 ms targets.

Runs tests/emulator/test_isolation.py (the attacks, with loose liveness bounds) and reads the figure
line each attack prints: the victim's latest beat, the worst answer of its API and of its agent URL,
the emulator's memory peak. The targets: no beat later than 100 ms, API answers under 100 ms, memory
under the bound README.md documents. Bounded: the suite's own windows (about a minute in all).

Run: .venv/bin/python bench/isolation_bench.py
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
FIGURES = re.compile(
    r"^\.?(?P<attack>[^:]+): (?P<beats>\d+) beats, latest beat (?P<late>\d+) ms late; API worst (?P<api>\d+) ms "
    r"\(\d+ requests\); agent URL worst (?P<agent>\d+) ms \[[\d, ]+\]; emulator RSS peak (?P<rss>\d+) MiB",
    re.MULTILINE,
)
MEMORY_BOUND_MIB = 300


def bench(row: Callable[..., None]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:randomly", "tests/emulator/test_isolation.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    found = list(FIGURES.finditer(done.stdout))
    row(
        "isolation suite (two accounts, every attack)",
        "passed" if done.returncode == 0 else "FAILED",
        "passed",
        "-",
        done.returncode == 0,
    )
    for match in found:
        attack = match["attack"].strip()
        late, api, agent, rss = (int(match[k]) for k in ("late", "api", "agent", "rss"))
        row(f"victim under '{attack}': latest beat", f"{late} ms", "<= 100 ms", "-", late <= 100)
        row(
            f"victim under '{attack}': API / agent URL worst",
            f"{api} / {agent} ms",
            "< 100 ms",
            "-",
            api < 100 and agent < 100,
        )
        row(f"emulator RSS under '{attack}'", f"{rss} MiB", f"< {MEMORY_BOUND_MIB} MiB", "-", rss < MEMORY_BOUND_MIB)


if __name__ == "__main__":
    bench(
        lambda figure, value, target="-", impt26="-", met=None: print(
            f"{figure}: {value} (target {target}; {'-' if met is None else 'met' if met else 'MISSED'})"
        )
    )
