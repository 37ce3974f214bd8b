"""A worker process hosting many device and agent VMs, driven by batches from the host.

The host sends lists of events `(seq, vm_id, op, payload, now)`; the worker runs them in order and
answers each batch with one list of outputs `(vm_id, kind, data)`. Before running an event it
writes `seq` to shared memory, arms a CPU-time timer whose signal (SIGPROF, default action)
kills the process, and caps its address space: a VM that loops or grows without bound takes the
worker down, and the host knows from `seq` which VM did it. The Squirrel binding offers no way to
interrupt a running VM, hence a process.
"""

from __future__ import annotations

import json
import mmap
import os
import resource
import signal
import struct
import sys
import time
import urllib.parse
import weakref
import zlib
from multiprocessing.connection import Connection
from typing import Any

from .imp_api import prelude
from .values import Unsendable, to_json_ready, to_literal, to_python

PAGE = os.sysconf("SC_PAGE_SIZE")


class ImpVm:
    """One device or agent: a Squirrel VM with the imp's root table, and the facts it reports."""

    def __init__(self, worker: Worker, vm_id: str, boot: dict[str, Any], now: float) -> None:
        import squirrel

        self.worker = worker
        self.vm_id = vm_id
        self.role: str = boot["role"]
        self.facts: dict[str, Any] = boot["facts"]
        self.saved: Any = boot.get("saved") or {}
        self.connected: bool = boot.get("connected", True)
        self.booted_at = now
        self.now = now
        self.slept = 0.0
        self.memory = 0
        self.next_handle = 1
        self.headers: dict[int, dict[str, str]] = {}
        self.pending_error: tuple[str, list[str]] | None = None
        self.sq = squirrel.SQVM()
        ref = weakref.ref(self)
        self.sq.bindfunc("_h", lambda op, a=None, b=None, c=None: _call(ref, op, a, b, c))
        entry = self.sq.execute_bytecode(_prelude_bytecode(self.role))
        self.entry = {name: entry[name] for name in ("boot", "fire", "message", "request", "connect", "blobarray")}

    def close(self) -> None:
        """Drop the closures before the VM that owns them."""
        self.entry.clear()
        self.sq = None

    # -- the host functions the prelude calls -------------------------------------------------
    def host(self, op: str, a: Any, b: Any, c: Any) -> Any:
        out = self.worker.out
        if op == "log":
            out.append((self.vm_id, "log", (bool(b), a)))
            self.worker.flush()
        elif op == "error":
            self.pending_error = (a, [f for f in b.split("\n") if f])
        elif op == "time":
            return int(self.clock())
        elif op == "date":
            return "=" + to_literal(_date(self.clock() if a is None else a))
        elif op == "millis":
            return int((self.clock() - self.booted_at) * 1000)
        elif op == "micros":
            return int((self.clock() - self.booted_at) * 1_000_000)
        elif op == "wakeup":
            handle = self.next_handle
            self.next_handle += 1
            out.append((self.vm_id, "wakeup", (handle, self.clock() + max(0.0, a))))
            return handle
        elif op == "cancel":
            out.append((self.vm_id, "cancel", a))
        elif op == "sleep":
            if a < 0:
                return "!imp.sleep: the time must not be negative"
            self.slept += a
        elif op in _FACTS:
            return self.facts[_FACTS[op]]
        elif op == "info":
            return "=" + to_literal({"type": self.facts["imp_type"], "swversion": self.facts["software_version"]})
        elif op == "isconnected":
            return 1 if self.connected else 0
        elif op == "agenturl":
            return self.facts["agent_url_base"].rstrip("/") + "/" + self.facts["agent_id"]
        else:
            return self.host_values(op, a, b, c)
        return None

    def host_values(self, op: str, a: Any, b: Any, c: Any) -> Any:
        """Host functions that take Squirrel values: any failure is a Squirrel error, not a crash."""
        try:
            if op == "send":
                self.worker.out.append((self.vm_id, "send", (a, to_python(b, self.entry["blobarray"]))))
            elif op == "save":
                self.saved = to_python(a, self.entry["blobarray"])
                self.worker.out.append((self.vm_id, "save", self.saved))
            elif op == "load":
                return "=" + to_literal(self.saved)
            elif op == "jsonencode":
                return ":" + json.dumps(to_json_ready(to_python(a, self.entry["blobarray"])), separators=(",", ":"))
            elif op == "jsondecode":
                return "=" + to_literal(json.loads(a))
            elif op == "urlencode":
                fields = to_python(a, self.entry["blobarray"])
                return ":" + urllib.parse.urlencode({str(k): _plain(v) for k, v in fields.items()})
            elif op == "header":
                self.headers.setdefault(a, {})[b] = c
            elif op == "respond":
                body = to_python(c, self.entry["blobarray"])
                body = body if isinstance(body, bytes) else str(body).encode()
                self.worker.out.append((self.vm_id, "respond", (a, b, self.headers.pop(a, {}), body)))
            else:
                return f"!unknown host function {op}"
        except (Unsendable, ValueError, TypeError) as exc:
            return f"!{op}: {exc}"
        return None

    def clock(self) -> float:
        return self.now + self.slept


_PRELUDES: dict[str, bytes] = {}


def _prelude_bytecode(role: str) -> bytes:
    """The prelude compiled once per role: compiling it is most of the cost of a boot."""
    if role not in _PRELUDES:
        import squirrel

        _PRELUDES[role] = squirrel.compile(prelude(role), "imp")
    return _PRELUDES[role]


_FACTS = {
    "deviceid": "device_id",
    "mac": "mac",
    "swversion": "software_version",
    "wakereason": "wake_reason",
}


def _call(ref: weakref.ref[ImpVm], op: str, a: Any, b: Any, c: Any) -> Any:
    vm = ref()
    if vm is None:
        return "!the VM is gone"
    try:
        return vm.host(op, a, b, c)
    except Exception as exc:  # noqa: BLE001 - a Python exception must never unwind through the VM
        return f"!{op}: {exc}"


def _plain(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)


def _date(when: float) -> dict[str, Any]:
    """The table `date()` returns on an imp (UTC, its only zone; month 0-11, wday 0-6 from Sunday)."""
    seconds = int(when)
    parts = time.gmtime(seconds)
    return {
        "year": parts.tm_year,
        "month": parts.tm_mon - 1,
        "day": parts.tm_mday,
        "wday": (parts.tm_wday + 1) % 7,
        "yday": parts.tm_yday - 1,
        "hour": parts.tm_hour,
        "min": parts.tm_min,
        "sec": parts.tm_sec,
        "usec": int((when - seconds) * 1_000_000),
        "time": seconds,
    }


class Worker:
    """The event loop of one worker process."""

    def __init__(self, cpu_seconds: float, memory_bytes: int, writer: Connection | None = None) -> None:
        self.writer = writer
        self.cpu_seconds = cpu_seconds
        self.memory_bytes = memory_bytes
        self.vms: dict[str, ImpVm] = {}
        self.out: list[tuple[str, str, Any]] = []
        self.statm = os.open("/proc/self/statm", os.O_RDONLY)
        self.as_limit = resource.getrlimit(resource.RLIMIT_AS)

    def run_batch(self, batch: list[tuple[int, str, str, Any, float]], progress: Any) -> list[tuple[str, str, Any]]:
        """Run a batch; returns the outputs not already flushed (the host gets them as the batch's end)."""
        self.out = []
        for seq, vm_id, op, payload, now in batch:
            struct.pack_into("q", progress, 0, seq)
            self.run_event(vm_id, op, payload, now)
        struct.pack_into("q", progress, 0, 0)
        return self.out

    def flush(self) -> None:
        """Send the outputs so far: log lines reach the host even if the code then loops or crashes."""
        if self.writer is not None and self.out:
            self.writer.send((False, self.out))
            self.out.clear()

    def run_event(self, vm_id: str, op: str, payload: Any, now: float) -> None:
        if op == "stop":
            vm = self.vms.pop(vm_id, None)
            if vm is not None:
                vm.close()
            return
        if op == "boot":
            old = self.vms.pop(vm_id, None)
            if old is not None:
                old.close()
        elif vm_id not in self.vms:
            if op == "request":
                self.out.append((vm_id, "respond", (payload[0], 503, {}, b"agent not running")))
            return
        before = self.rss()
        vm = self.vms.get(vm_id)
        self.guard(vm.memory if vm is not None else 0)
        try:
            if vm is None:
                vm = self.vms[vm_id] = ImpVm(self, vm_id, payload, now)
            vm.now, vm.slept, vm.pending_error = now, 0.0, None
            self.call(vm, op, payload)
        finally:
            self.unguard()
        vm.memory = max(0, vm.memory + self.rss() - before)
        if vm.memory > self.memory_bytes:
            self.out.append((vm_id, "memory", vm.memory))
            self.vms.pop(vm_id).close()

    def call(self, vm: ImpVm, op: str, payload: Any) -> None:
        try:
            if op == "boot":
                name = "device_code" if vm.role == "device" else "agent_code"
                vm.entry["boot"](payload["code"], name, zlib.crc32(vm.vm_id.split("#")[0].encode()) & 0x7FFFFFFF)
            elif op == "fire":
                vm.entry["fire"](payload)
            elif op == "message":
                vm.entry["message"](payload[0], "=" + to_literal(payload[1]))
            elif op == "connect":
                vm.connected = payload
                vm.entry["connect"](payload)
            elif op == "request":
                request_id, request = payload
                if not vm.entry["request"](request_id, "=" + to_literal(request)):
                    self.out.append((vm.vm_id, "respond", (request_id, 404, {}, b"no http.onrequest handler")))
        except Exception as exc:  # noqa: BLE001 - any Squirrel error ends this event, as on an imp
            message, frames = vm.pending_error or (str(exc), [])
            self.out.append((vm.vm_id, "error", (message, frames)))

    # -- limits -------------------------------------------------------------------------------
    def rss(self) -> int:
        return int(os.pread(self.statm, 64, 0).split()[1]) * PAGE

    def guard(self, used: int) -> None:
        vsize = int(os.pread(self.statm, 64, 0).split()[0]) * PAGE
        soft = vsize + max(self.memory_bytes - used, 0) + 32 * 1024 * 1024
        hard = self.as_limit[1]
        resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        signal.setitimer(signal.ITIMER_PROF, self.cpu_seconds)

    def unguard(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0)
        resource.setrlimit(resource.RLIMIT_AS, self.as_limit)


def main(argv: list[str]) -> None:
    """Entry point of a worker process: run batches until the host closes the pipe."""
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The binding prints to the C streams (a line per destroyed VM): keep them off any terminal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    reader = Connection(int(argv[0]), writable=False)
    writer = Connection(int(argv[1]), readable=False)
    progress = mmap.mmap(int(argv[2]), 8)
    worker = Worker(float(argv[3]), int(argv[4]), writer)
    if len(argv) > 5 and int(argv[5]) > 0:
        os.nice(int(argv[5]))  # below the emulator's event loop (see `Limits.worker_nice`)
    for role in ("device", "agent"):  # warm up while the host is still setting up
        _prelude_bytecode(role)
    while True:
        try:
            batch = reader.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        writer.send((True, worker.run_batch(batch, progress)))


if __name__ == "__main__":
    main(sys.argv[1:])
