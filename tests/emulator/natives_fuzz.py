"""Hostile arguments for every native an imp's code can reach: the engine of the natives fuzz test.

Targets are found in a booted VM, not listed by hand: the functions of the root table, of the
tables in it (`math`, `imp`, `server`, ...), of the classes in it (`blob`, `regexp`) and of the
default delegates of every kind of value (strings, arrays, tables, numbers, functions, threads,
class instances, weak references). A native the next engineer adds is fuzzed without a change here.

Each case is one call `receiver[name](args...)` inside `try {} catch (e) {}`; cases run as device
code, `BATCH` at a time, in the runtime's real worker processes (a crash must not take the test
runner down). A batch whose worker dies is split in halves until the one call that kills it is
found. Used by `test_natives_fuzz.py` (bounded: fixed seed, a few thousand calls) and by
`bench/natives_fuzz_bench.py` (a long run).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

from impcentral_emulator.runtime import DeviceFacts, Limits, ManualClock, RuntimeHost

BATCH = 150

# Receivers: a fresh one per call (a call may change it); `B` and `X` are the root's classes.
RECEIVERS = {
    "string": '"hello world"',
    "array": "[3, 1, 2]",
    "table": "{a = 1, b = [2]}",
    "integer": "42",
    "float": "2.5",
    "bool": "true",
    "function": "function(a = 1, b = 2) { return a; }",
    "class": "class { x = 1; function f() { return 1; } }",
    "instance": "(class { x = 1; })()",
    "thread": "newthread(function(a = 1) { return a; })",
    "generator": "(function() { yield 1; })()",
    "weakref": "[1].weakref()",
    "blob": "blob(16)",
    "regexp": 'regexp("(a+)(b*)")',
}
# Methods of Squirrel 3.2's default delegates and of its blob and regexp classes (absent ones are dropped).
METHODS = (
    "len tointeger tofloat tostring tochar weakref slice find tolower toupper hash append push extend pop top "
    "insert remove resize sort reverse clear map apply reduce filter rawget rawset rawdelete rawin setdelegate "
    "getdelegate keys values call pcall acall pacall bindenv setroot getroot getinfos instance getattributes "
    "setattributes newmember rawnewmember getbase getclass getstatus wakeup wakeupthrow getstackinfos ref "
    "readn writen readblob writeblob readstring writestring tell eos seek flush swap2 swap4 swapfloat "
    "search match capture subexpcount"
).split()
# Arguments that natives get wrong: offsets past the end, negative and huge sizes, NaN and infinity,
# format strings, deep nesting, values of the wrong type.
ARGS = (
    "null true false 0 1 -1 2 3 7 16 100 -100 1000 -1000 65536 100000000 -100000000 2147483647 -2147483647 "
    "(-2147483647-1) 0.5 -0.5 1e30 -1e30 math.sqrt(-1) math.pow(10,400) -math.pow(10,400)"
).split() + [
    '""',
    '"a"',
    '"b"',
    '"i"',
    '"f"',
    '"s"',
    '"%s%s%s%s%s"',
    '"%d%d%d"',
    '"%999999999d"',
    '"%.999999999f"',
    '"%c%c"',
    '"(((((a"',
    '"[[[[["',
    '"\\\\"',
    '"a*b+c?"',
    '"\\x00\\xff\\x80"',
    "BIG",
    "DEEP",
    "[]",
    "[1, 2, 3]",
    "[null, [], {}]",
    "{}",
    "{a = 1}",
    "blob(0)",
    "blob(4)",
    'regexp("a")',
    "function() { return 1; }",
    "function(a, b) { return 0; }",
    "function(...) { throw 1; }",
    "class {}",
    "newthread(function() {})",
    "getroottable()",
    "[1].weakref()",
]
PRELUDE = """
local BIG = ""; for (local i = 0; i < 64; i++) BIG += "abcdefghijklmnopqrstuvwxyz012345";
local DEEP = ""; for (local i = 0; i < 600; i++) DEEP += "(";
local B = blob, X = regexp;
"""


@dataclass
class Outcome:
    """What a fuzz run found: calls made, worker deaths by reason, and each killing call."""

    calls: int = 0
    batches: int = 0
    seconds: float = 0.0
    crashes: list[tuple[str, str]] = field(default_factory=list)  # (call, reason): the worker died of a signal
    limits: list[tuple[str, str]] = field(default_factory=list)  # (call, reason): watchdog or memory, as designed
    targets: int = 0


def discovery_code() -> str:
    """Device code that logs `receiver-kind name arity types` per callable it can reach: `arity` is the
    native's parameter check (n: exactly n-1 arguments, -n: at least n-1; closures: their parameters,
    negative with varargs); `types` the accepted type masks per parameter (natives)."""
    kinds = ", ".join(f'["{kind}", {expr}]' for kind, expr in RECEIVERS.items())
    methods = ", ".join(f'"{m}"' for m in METHODS)
    return f"""
    local out = [];
    local function shape(f) {{
        local i = f.getinfos();
        if (i.native) {{
            local types = "";
            if (i.typecheck != null) foreach (m in i.typecheck) types += m + ",";
            return " " + i.paramscheck + " " + types;
        }}
        return " " + (i.varargs ? -i.parameters.len() : i.parameters.len()) + " ";
    }}
    foreach (name, value in getroottable()) {{
        local t = typeof value;
        if (t == "function" || t == "native function") out.append("root " + name + shape(value));
        else if (t == "table") foreach (k, v in value) {{
            local tv = typeof v;
            if (tv == "function" || tv == "native function") out.append("root." + name + " " + k + shape(v));
        }}
    }}
    foreach (pair in [{kinds}]) {{
        foreach (m in [{methods}]) {{
            local f = null;
            try {{ f = pair[1][m]; }} catch (e) {{}}
            if (f != null) out.append(pair[0] + " " + m + shape(f));
        }}
    }}
    foreach (line in out) server.log(line);
    """


def receiver_and_member(target: str) -> tuple[str, str]:
    kind, name = target.split(" ")[:2]
    if kind == "root":
        return "getroottable()", name
    if kind.startswith("root."):
        return kind[5:], name
    return RECEIVERS[kind], name


def call_code(target: str, rng: random.Random) -> str:
    """One hostile call of `target`: mostly the right number of arguments, mostly of accepted types."""
    receiver, name = receiver_and_member(target)
    fields = target.split(" ")
    arity = int(fields[2]) if len(fields) > 2 and fields[2].lstrip("-").isdigit() else 0
    masks = [int(m) for m in fields[3].split(",") if m] if len(fields) > 3 else []
    if arity > 0 and rng.random() < 0.9:
        count = arity - 1
    elif arity < 0 and rng.random() < 0.9:
        count = -arity - 1 + rng.choice((0, 0, 1, 2))
    else:
        count = rng.choice((0, 1, 2, 3, 4))
    args = ", ".join(_argument(masks[i + 1] if i + 1 < len(masks) else -1, rng) for i in range(max(0, count)))
    if name in ("setroottable", "setconsttable"):  # the later calls of the batch still need the root
        args = "getroottable()" if name == "setroottable" else "getconsttable()"
    return f'try {{ local r = {receiver}; r["{name}"]({args}); }} catch (e) {{}}'


def _argument(mask: int, rng: random.Random) -> str:
    """An argument of a type in `mask` (Squirrel's type bits) nine times in ten, else any."""
    if mask != -1 and rng.random() < 0.9:
        fitting = [arg for arg, bit in TYPED_ARGS if bit & mask]
        if fitting:
            return rng.choice(fitting)
    return rng.choice(ARGS)


def _type_bit(arg: str) -> int:
    """The type bit of an ARGS expression (Squirrel's `_RT_*` masks)."""
    if arg == "null":
        return 0x1
    if arg in ("true", "false"):
        return 0x8
    if arg.startswith(('"', "BIG", "DEEP")):
        return 0x10
    if arg.startswith(("{", "getroottable")):
        return 0x20
    if arg.startswith("["):
        return 0x10000 if "weakref" in arg else 0x40
    if arg.startswith("function"):
        return 0x100
    if arg.startswith("class"):
        return 0x4000
    if arg.startswith(("blob", "regexp")):
        return 0x8000
    if arg.startswith("newthread"):
        return 0x1000
    is_float = any(c in arg for c in ".e") or arg.startswith(("math", "-math"))
    return 0x4 if is_float else 0x2


TYPED_ARGS = [(arg, _type_bit(arg)) for arg in ARGS]


class Fuzzer:
    """Runs fuzz batches as device code in a runtime host with a hand-driven clock."""

    def __init__(self, host: RuntimeHost, lines: list[tuple[str, str, str]]) -> None:
        self.host = host
        self.lines = lines
        self.device = 0

    async def run(self, code: str) -> tuple[list[str], str | None]:
        """Boot `code` on a fresh device; its log lines and the reason its worker died (None: it did not)."""
        self.device += 1
        facts = DeviceFacts(f"fuzz{self.device}", f"fa{self.device}", "0c2a69000000", "imp005", "43", "http://x/agents")
        start = len(self.lines)
        self.host.start(facts, code, "")
        await self.host.idle()
        self.host.stop(facts.device_id)
        await self.host.idle()
        mine = [m for d, t, m in self.lines[start:] if d == facts.device_id]
        dead = next((m[7:] for m in mine if m.startswith("ERROR: ") and _is_death(m[7:])), None)
        return mine, dead

    async def bisect(self, calls: list[str], reason: str, outcome: Outcome) -> None:
        """Split a killing batch until the single call that kills is found; record it."""
        if len(calls) == 1:
            (outcome.limits if _is_limit(reason) else outcome.crashes).append((calls[0], reason))
            return
        half = len(calls) // 2
        for part in (calls[:half], calls[half:]):
            _, dead = await self.run(PRELUDE + "\n".join(part))
            if dead is not None:
                await self.bisect(part, dead, outcome)


def _is_death(message: str) -> bool:
    return message.startswith(("the Squirrel VM crashed", "watchdog:", "out of memory", "the Squirrel worker"))


def _is_limit(reason: str) -> bool:
    return reason.startswith(("watchdog:", "out of memory"))


class _Recorder:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str]] = []

    def log(self, device_id: str, log_type: str, message: str) -> None:
        self.lines.append((device_id, log_type, message))

    def save(self, agent_id: str, data: Any) -> None:
        pass

    def load(self, agent_id: str) -> Any:
        return {}

    def connection(self, device_id: str, connected: bool) -> None:
        pass


async def fuzz(seed: int, calls: int, seconds: float, limits: Limits | None = None) -> Outcome:
    """Up to `calls` hostile calls (or `seconds` of wall time), reproducible from `seed`."""
    rng = random.Random(seed)
    events = _Recorder()
    limits = limits or Limits(cpu_seconds=1.0, restart_backoff=1e6, log_lines_per_second=1e6, log_line_burst=10**6)
    host = RuntimeHost(events, ManualClock(), limits)
    await host.open()
    outcome = Outcome()
    started = time.monotonic()
    try:
        fuzzer = Fuzzer(host, events.lines)
        lines, dead = await fuzzer.run(discovery_code())
        targets = sorted(line for line in lines if line.count(" ") >= 2 and not line.startswith("ERROR"))
        outcome.targets = len(targets)
        while outcome.calls < calls and time.monotonic() - started < seconds:
            batch = [call_code(rng.choice(targets), rng) for _ in range(min(BATCH, calls - outcome.calls))]
            outcome.calls += len(batch)
            outcome.batches += 1
            _, dead = await fuzzer.run(PRELUDE + "\n".join(batch))
            if dead is not None:
                await fuzzer.bisect(batch, dead, outcome)
    finally:
        await host.close()
    outcome.seconds = time.monotonic() - started
    return outcome


def run(seed: int, calls: int, seconds: float) -> Outcome:
    return asyncio.run(fuzz(seed, calls, seconds))
