"""The natives fuzz (issue 22): hostile arguments for every native an imp's code reaches, and no crash.

Bounded for `make test`: a fixed seed, 10,000 calls, 60 s at most (about 2 s here). `make bench` runs
the long variant (`bench/natives_fuzz_bench.py`). A crash names the call that killed the worker.
"""

from __future__ import annotations

import asyncio
import itertools

import natives_fuzz
from natives_fuzz import fuzz

from impcentral_emulator.runtime import Limits


def test_hostile_calls_of_the_natives_never_crash_a_worker():
    outcome = asyncio.run(fuzz(seed=22, calls=10_000, seconds=60))
    assert outcome.targets > 150  # the root table, its tables and classes, every default delegate
    assert outcome.calls == 10_000
    assert outcome.crashes == []


def test_the_fuzzer_finds_a_crash_and_names_its_call(monkeypatch):
    """The oracle works: with the nesting guard lifted, deep nesting crashes the compiler (SIGSEGV, as the
    issue found), and bisection names that one call among harmless ones."""
    deep = (
        'try { local s = "("; for (local i = 0; i < 16; i++) s += s; compilestring("local x = " + s + "1;"); }'
        " catch (e) {}"
    )
    calls = itertools.cycle(
        ["try { [].len(); } catch (e) {}"] * 5 + [deep] + ["try { math.abs(-1); } catch (e) {}"] * 6
    )
    monkeypatch.setattr(natives_fuzz, "call_code", lambda target, rng: next(calls))
    unguarded = Limits(cpu_seconds=10.0, restart_backoff=1e6, source_nesting=10**9)
    outcome = asyncio.run(fuzz(seed=1, calls=12, seconds=60, limits=unguarded))
    assert outcome.crashes == [(deep, "the Squirrel VM crashed (SIGSEGV)")], outcome
