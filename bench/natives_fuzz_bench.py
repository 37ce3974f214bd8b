"""The long natives fuzz (issue 22): hostile calls of every native an imp's code reaches, for minutes.

`make test` runs 10,000 calls with one seed (tests/emulator/runtime/test_natives_fuzz.py); this runs
`CALLS` calls (or `SECONDS` of wall time) with another seed each run, and prints what it found: calls,
targets, rate, worker deaths that are limits (watchdog, memory) and crashes with the call that caused
each. Bounded in count and time; no network.

Run: .venv/bin/python bench/natives_fuzz_bench.py [calls] [seconds] [seed]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "emulator"))

from natives_fuzz import fuzz  # noqa: E402

CALLS = 200_000
SECONDS = 120.0


def bench(row: Callable[..., None], calls: int = CALLS, seconds: float = SECONDS, seed: int | None = None) -> None:
    """Add the fuzz's figures to `make bench`'s table."""
    seed = int(time.time()) if seed is None else seed
    outcome = asyncio.run(fuzz(seed, calls, seconds))
    rate = outcome.calls / outcome.seconds if outcome.seconds else 0.0
    row(f"natives fuzz (seed {seed}): hostile calls of {outcome.targets} natives", f"{outcome.calls:,}", "-", "-")
    row("natives fuzz: calls per second", f"{rate:,.0f}", "-", "-")
    row("natives fuzz: limits hit (watchdog, memory)", f"{len(outcome.limits)}", "-", "-")
    row("natives fuzz: worker crashes", f"{len(outcome.crashes)}", "0", "-", not outcome.crashes)
    for call, reason in outcome.crashes + outcome.limits:
        print(f"  {reason}: {call}", file=sys.stderr)


def main(argv: list[str]) -> int:
    calls = int(argv[0]) if argv else CALLS
    seconds = float(argv[1]) if len(argv) > 1 else SECONDS
    seed = int(argv[2]) if len(argv) > 2 else None
    bench(lambda figure, value, *rest: print(f"{figure}: {value}"), calls, seconds, seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
