"""A worker process hosting the device or agent VMs of one account, driven by batches from the host.

The host sends lists of events `(seq, vm_id, op, payload, now)`; the worker runs them in order and
answers each batch with one list of outputs `(vm_id, kind, data)`. Before running an event it
writes `seq` (and its memory figures) to shared memory, arms a CPU-time timer whose signal
(SIGPROF, default action) kills the process, and caps its address space: a VM that loops or
grows without bound takes the worker down, and the host knows from `seq` which VM did it. The
Squirrel binding offers no way to interrupt a running VM, hence a process.

The per-VM limits that cost nothing to check here are checked here (`Limits`): pending timers,
messages per second, log lines per second and their length. The same process also compiles
deployments (op `compile`), so that the compiler never runs in the emulator's process.
"""

from __future__ import annotations

import ctypes
import json
import mmap
import os
import pickle
import resource
import signal
import struct
import sys
import time
import urllib.parse
import weakref
import zlib
from dataclasses import asdict
from multiprocessing.connection import Connection
from typing import Any

from . import platform_api
from .capi import SquirrelError, bind_host, install_delegate_guards
from .compiler import compile_file
from .hardware import FLASH_CHIP_ID, MAX_DEEP_SLEEP, WARM_WAKES, Flash, flash_bytes
from .imp_api import prelude
from .imp_platform import I2C_BUSES, SPI_BUSES, pin_names
from .limits import Limits, TokenBucket
from .natives import GUARDED_DELEGATES, escape, nesting_problem
from .values import Unsendable, text_of, to_json_ready, to_literal, unpack

PAGE = os.sysconf("SC_PAGE_SIZE")
PROGRESS = struct.Struct("qqqq")  # seq, RSS before it, address space left to it, peak RSS (KiB) before it
# After it, in the same page: the worker proper's pid, and its peak RSS (KiB) at death (the reaper's).
PROPER = struct.Struct("qq")
PAGE_SIZE = PROGRESS.size + PROPER.size
_FACTS = {"deviceid": "device_id", "mac": "mac", "swversion": "software_version", "wakereason": "wake_reason"}


class ImpVm:
    """One device or agent: a Squirrel VM with the imp's root table, and the facts it reports."""

    def __init__(self, worker: Worker, vm_id: str, boot: dict[str, Any], now: float) -> None:
        import squirrel

        limits = worker.limits
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
        self.pending: set[int] = set()
        self.headers: dict[int, dict[str, str]] = {}
        self.pending_error: tuple[str, list[str]] | None = None
        self.restarting = False  # `server.restart()` was called: the event's end is not an error
        self.key = vm_id.split("#", 1)[0]
        self.sleeping = False  # deep sleep asked: the rest of the callback is moot
        self.http_pending: set[int] = set()
        self.flash: Flash | None = None
        self.sends = TokenBucket(limits.messages_per_second, limits.message_burst, now)
        self.lines = TokenBucket(limits.log_lines_per_second, limits.log_line_burst, now)
        self.line_bytes = TokenBucket(limits.log_bytes_per_second, limits.log_byte_burst, now)
        self.dropped = 0
        self.noticed = -1.0
        self.sq = squirrel.SQVM()
        ref = weakref.ref(self)
        self._bridge = bind_host(self.sq, "_h", lambda args: _call(ref, args))
        entry = self.sq.execute_bytecode(_prelude_bytecode(self.role))
        install_delegate_guards(self.sq, {**GUARDED_DELEGATES, **platform_api.DELEGATES})
        self.entry = {name: entry[name] for name in ("boot", "fire", "message", "request", "connect", "platform")}

    def close(self) -> None:
        """Drop the closures before the VM that owns them."""
        self.entry.clear()
        self.sq = None
        self._bridge = None

    # -- the host functions the prelude calls -------------------------------------------------
    def host(self, op: str, a: Any, b: Any, c: Any) -> Any:  # noqa: PLR0911, PLR0912 - one case per operation
        """`_h(op, a, b, c)` from the prelude: strings and blobs arrive as bytes (`capi.read`)."""
        limits = self.worker.limits
        if op == "log":
            self.log(a, bool(b), c)
        elif op == "error":
            message = _line(a, limits.log_line_bytes)
            frames = [f for f in text_of(b).split("\n") if f]
            # An error that crosses a native call (`[].map(f)`, a bound closure with default parameters)
            # reaches the handler again at each native boundary, with fewer frames: keep the deepest.
            earlier = self.pending_error
            if earlier is None or earlier[0] != message or len(frames) > len(earlier[1]):
                self.pending_error = (message, frames)
        elif op == "time":
            return int(self.clock())
        elif op == "date":
            return "=" + to_literal(_date(self.clock() if a is None else a))
        elif op == "millis":
            return int((self.clock() - self.booted_at) * 1000)
        elif op == "micros":
            return int((self.clock() - self.booted_at) * 1_000_000)
        elif op == "wakeup":
            if len(self.pending) >= limits.timers_per_vm:
                return None
            handle = self.next_handle
            self.next_handle += 1
            self.pending.add(handle)
            delay = 0.0 if a <= 0 else max(a, limits.timer_resolution)
            self.worker.out.append((self.vm_id, "wakeup", (handle, self.clock() + delay)))
            return handle
        elif op == "cancel":
            self.pending.discard(a)
            self.worker.out.append((self.vm_id, "cancel", a))
        elif op == "sleep":
            if a < 0:
                return "!imp.sleep: the time must not be negative"
            self.slept += a
        elif op == "escape":
            return escape(a)
        elif op == "limits":
            return "=" + to_literal(self.worker.prelude_limits)
        elif op == "nesting":
            problem = nesting_problem(text_of(a), text_of(b), limits.source_nesting)
            return problem
        elif op == "mac":  # the imp's form: twelve hex digits, without the record's separators
            return str(self.facts["mac"]).replace(":", "").replace("-", "").lower()
        elif op in _FACTS:
            return self.facts[_FACTS[op]]
        elif op == "info":
            return "=" + to_literal({"type": self.facts["imp_type"], "swversion": self.facts["software_version"]})
        elif op == "isconnected":
            return 1 if self.connected else 0
        elif op == "agenturl":
            return ":" + self.facts["agent_url_base"].rstrip("/") + "/" + self.facts["agent_id"]
        elif op.startswith("flash"):
            return self.host_flash(op, a, b, c)
        elif op in ("deepsleep", "secondsuntil", "onidle", "nvsave", "nvlost", "httpcancel"):
            return self.host_platform(op, a, b, c)
        else:
            answer = platform_api.host(self, op, a, b, c)
            return self.host_values(op, a, b, c) if answer is NotImplemented else answer
        return None

    def host_flash(self, op: str, a: Any, b: Any, c: Any) -> Any:
        """`hardware.spiflash`: the device's flash lives in the worker (`Worker.flashes`), mirrored by the host."""
        flash = self.flash
        if op == "flashsize":
            return flash.size if flash is not None else 0
        if op == "flashid":
            return FLASH_CHIP_ID
        if not isinstance(a, int) or (op != "flasherase" and not isinstance(b, (int, bytes))):
            return "!spiflash: the address must be an integer"
        if op == "flashread":
            if not isinstance(b, int):
                return "!spiflash.read: the count must be an integer"
            problem = flash.check(a, b)
            return f"!spiflash.read: {problem}" if problem else "=" + to_literal(flash.read(a, b))
        if op == "flasherase":
            if a % 4096:
                return f"!spiflash.erasesector: {a:#x} is not on a 4 KB sector boundary"
            problem = flash.check(a, 4096)
            if problem:
                return f"!spiflash.erasesector: {problem}"
            flash.erase(a)
            self.worker.out.append((self.vm_id, "flash", ("e", a, b"")))
            return None
        data = bytes(b)
        problem = flash.check(a, len(data))
        if problem:
            return f"!spiflash.write: {problem}"
        fresh = sum(1 for i in range(a // 4096, (a + max(len(data), 1) - 1) // 4096 + 1) if i not in flash.sectors)
        held = sum(len(f.sectors) for _, f in self.worker.flashes.values()) + fresh
        limit = self.worker.limits.flash_held_bytes
        if fresh and held * 4096 > limit:
            return f"!spiflash.write: the emulator holds at most {limit / 1048576:g} MiB of written flash per account"
        flash.write(a, data)
        self.worker.out.append((self.vm_id, "flash", ("w", a, data)))
        if isinstance(c, int) and c & 2 and flash.read(a, len(data)) != data:  # SPIFLASH_POSTVERIFY
            return 1
        return 0

    def host_platform(self, op: str, a: Any, b: Any, c: Any) -> Any:
        """Deep sleep, `nv`, `imp.onidle` and cancelling an agent's request."""
        if op == "deepsleep":
            if not 0 <= a <= MAX_DEEP_SLEEP:
                return f"!imp.deepsleepfor: the time must be 0-{MAX_DEEP_SLEEP} seconds"
            self.sleeping = True
            wakers = [text_of(name) for name in b or []]
            self.worker.out.append((self.vm_id, "deepsleep", (float(a), wakers)))
        elif op == "secondsuntil":
            return _seconds_until(self.clock(), a, b, *c)
        elif op == "onidle":
            self.worker.out.append((self.vm_id, "idle", None))
        elif op == "nvsave":
            self.worker.keep_nv(self.key, None if a is None else unpack(a, b, self.worker.limits.value_depth))
        elif op == "nvlost":
            self.worker.out.append((self.vm_id, "notice", f"nv not kept: {text_of(a)}"))
        elif op == "httpcancel":
            self.http_pending.discard(a)
            self.worker.out.append((self.vm_id, "httpcancel", a))
        return None

    def host_values(self, op: str, a: Any, b: Any, c: Any) -> Any:
        """Host functions that take packed values: any failure is a Squirrel error, not a crash."""
        limits = self.worker.limits
        try:
            if op == "send":
                what = "agent.send" if self.role == "device" else "device.send"
                if not self.sends.take(self.clock()):
                    return f"!{what}: too many messages (more than {limits.messages_per_second:g} a second)"
                self.worker.out.append((self.vm_id, "send", (text_of(c), unpack(a, b, limits.value_depth))))
            elif op == "save":
                self.saved = unpack(a, b, limits.value_depth)
                self.worker.out.append((self.vm_id, "save", self.saved))
            elif op == "load":
                return "=" + to_literal(self.saved)
            elif op == "jsonencode":
                value = to_json_ready(unpack(a, b, limits.value_depth))
                return ":" + json.dumps(value, separators=(",", ":"))  # ASCII: non-ASCII is escaped
            elif op == "jsondecode":
                return "=" + to_literal(_json_value(json.loads(text_of(a)), limits.value_depth))
            elif op == "urlencode":
                fields = unpack(a, b, limits.value_depth)
                pairs = {str(k): _plain(v) for k, v in fields.items()}
                return ":" + urllib.parse.urlencode(pairs, encoding="utf-8", errors="surrogateescape")
            elif op == "header":
                self.headers.setdefault(a, {})[text_of(b)] = text_of(c)
            elif op == "respond":
                body = bytes(c)
                self.worker.out.append((self.vm_id, "respond", (a, b, self.headers.pop(a, {}), body)))
            elif op == "httpsend":
                return self.http_send(unpack(a, b, limits.value_depth))
            else:
                return f"!unknown host function {op}"
        except (Unsendable, ValueError, TypeError, RecursionError) as exc:
            return f"!{op}: {exc}"
        return None

    def http_send(self, spec: dict[str, Any]) -> Any:
        """`sendasync` (the host makes the request; `httpdone` brings the answer) or `sendsync` (waits here)."""
        limits = self.worker.limits
        what = "httprequest.sendsync" if spec.get("sync") else "httprequest.sendasync"
        if len(self.http_pending) >= limits.http_outbound_pending:
            return f"!{what}: too many requests in flight (at most {limits.http_outbound_pending})"
        headers = spec.get("headers") or {}
        spec["headers"] = {str(k): _plain(v) for k, v in headers.items()}
        body = spec.get("body") or b""
        spec["body"] = body if isinstance(body, bytes) else str(body).encode("utf-8", "surrogateescape")
        request_id = self.worker.next_request()
        if not spec.get("sync"):
            self.http_pending.add(request_id)
            self.worker.out.append((self.vm_id, "http", (request_id, spec)))
            return request_id
        answer = self.worker.wait_http(self.vm_id, request_id, spec)
        if answer is None:
            return f"!{what}: the emulator cannot wait for a request here"
        return "=" + to_literal(answer)

    def log(self, data: bytes, is_error: bool, length: int) -> None:
        """A line of `server.log`/`server.error`, cut to `log_line_bytes`, within the VM's log budget."""
        limits = self.worker.limits
        now = self.clock()
        if self.lines.wait(now) > 0 or self.line_bytes.wait(now, len(data)) > 0:
            self.dropped += 1
            return
        self.lines.take(now)
        self.line_bytes.take(now, len(data))
        self.notice_drops()
        if length > limits.log_line_bytes:  # cut so that the line with its marker keeps to the limit
            marker = f" [truncated: the line had {length} bytes]"
            message = _line(data, limits.log_line_bytes - len(marker)) + marker
        else:
            message = _line(data, limits.log_line_bytes)
        self.worker.out.append((self.vm_id, "log", (is_error, message)))
        self.worker.flush()

    def notice_drops(self, force: bool = False) -> None:
        """Say how many lines the budget dropped (at most once a second of the VM's time)."""
        limits = self.worker.limits
        now = self.clock()
        if self.dropped and (force or now - self.noticed >= 1.0):
            rate = f"{limits.log_lines_per_second:g} lines or {limits.log_bytes_per_second / 1024:g} KiB a second"
            self.worker.out.append((self.vm_id, "notice", f"{self.dropped} log lines dropped: more than {rate}"))
            self.dropped = 0
            self.noticed = now

    def clock(self) -> float:
        return self.now + self.slept


_PRELUDES: dict[str, bytes] = {}


def _prelude_bytecode(role: str) -> bytes:
    """The prelude compiled once per role: compiling it is most of the cost of a boot."""
    if role not in _PRELUDES:
        import squirrel

        _PRELUDES[role] = squirrel.compile(prelude(role), "imp")
    return _PRELUDES[role]


def _call(ref: weakref.ref[ImpVm], args: list[Any]) -> Any:
    """The host entry: `bind_host` turns a `SquirrelError` (or any other exception) into a Squirrel error."""
    vm = ref()
    if vm is None:
        raise SquirrelError("the VM is gone")
    if not args or not isinstance(args[0], bytes):
        raise SquirrelError("the host entry needs an operation name")
    op = args[0].decode("ascii", "replace")
    a, b, c = (*args[1:], None, None, None)[:3]
    return vm.host(op, a, b, c)


def _line(data: bytes, limit: int) -> str:
    """A log line's bytes as text: cut at `limit` without splitting a character, invalid UTF-8 replaced."""
    if len(data) > limit:
        data = data[:limit]
        first = len(data) - 1  # back to the first byte of the last character
        while first > 0 and len(data) - first < 4 and data[first] & 0xC0 == 0x80:
            first -= 1
        lead = data[first] if data else 0
        size = 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 1
        if len(data) - first < size:
            data = data[:first]
    return data.decode("utf-8", "replace")


def _json_value(value: Any, depth: int) -> Any:
    """JSON as the imp decodes it: integers outside 32 bits become floats (`to_literal` does that)."""
    from .values import check_plain

    check_plain(value, depth)
    return value


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


def _seconds_until(now: float, hour: int, minute: int, second: int, day: int) -> float:
    """Seconds from `now` to the next UTC time of day (on weekday `day`, 0 Sunday, -1 any)."""
    if not (0 <= hour <= 23 and 0 <= minute <= 60 and 0 <= second <= 60 and -1 <= day <= 6):  # noqa: PLR2004
        raise SquirrelError("imp.deepsleepuntil: hour 0-23, minute and second 0-60, day 0-6")
    midnight = now - now % 86400
    for offset in range(8):
        at = midnight + offset * 86400 + hour * 3600 + minute * 60 + second
        weekday = (time.gmtime(at - at % 86400).tm_wday + 1) % 7
        if at > now and (day < 0 or weekday == day):
            return at - now
    return 7 * 86400.0


class Worker:
    """The event loop of one worker process."""

    def __init__(self, limits: Limits, writer: Connection | None = None, reader: Connection | None = None) -> None:
        self.writer = writer
        self.reader = reader
        self.flashes: dict[str, tuple[int, Flash]] = {}  # device key -> (host's epoch, its SPI flash across boots)
        self.nvs: dict[str, Any] = {}  # device key -> the `nv` table kept for a warm boot
        self.requests = 0
        self.limits = limits
        self.vms: dict[str, ImpVm] = {}
        self.out: list[tuple[str, str, Any]] = []
        self.statm = os.open("/proc/self/statm", os.O_RDONLY)
        self.clear_refs = _open_clear_refs()
        self.as_limit = resource.getrlimit(resource.RLIMIT_AS)
        self.progress: Any = None
        self.prelude_limits = {
            "line": limits.log_line_bytes,
            "message": limits.message_bytes,
            "save": limits.save_bytes,
            "response": limits.http_response_bytes,
            "depth": limits.value_depth,
            "memory": limits.memory_bytes,
            "nv": limits.nv_bytes,
        }

    def next_request(self) -> int:
        self.requests += 1
        return self.requests

    def keep_nv(self, key: str, value: Any) -> None:
        if value is None:
            self.nvs.pop(key, None)
        else:
            self.nvs[key] = value

    def wait_http(self, vm_id: str, request_id: int, spec: dict[str, Any]) -> Any:
        """`sendsync`: hand the request to the host, then block until its answer (the reference's sendsync
        blocks the agent; here the worker, which hosts only this account's agents, waits with it)."""
        if self.writer is None or self.reader is None:
            return None
        self.out.append((vm_id, "http", (request_id, {**spec, "sync": True})))
        self.flush()
        while True:
            message = self.reader.recv()
            if isinstance(message, tuple) and message[:2] == ("httpsync", request_id):
                return message[2]

    def run_batch(self, batch: list[tuple[int, str, str, Any, float]], progress: Any) -> list[tuple[str, str, Any]]:
        """Run a batch; returns the outputs not already flushed (the host gets them as the batch's end)."""
        self.out = []
        self.progress = progress
        for seq, vm_id, op, payload, now in batch:
            self.run_event(seq, vm_id, op, payload, now)
        PROGRESS.pack_into(progress, 0, 0, 0, 0, 0)
        return self.out

    def flush(self) -> None:
        """Send the outputs so far: log lines reach the host even if the code then loops or crashes."""
        if self.writer is not None and self.out:
            send(self.writer, (False, self.out))
            self.out = []

    def run_event(self, seq: int, vm_id: str, op: str, payload: Any, now: float) -> None:
        if op == "compile":
            self.guard(seq, 0)
            try:
                self.out.append((vm_id, "compiled", compile_file(payload[0], payload[1], self.limits.source_nesting)))
            finally:
                self.unguard()
            return
        if op == "stop":
            vm = self.vms.pop(vm_id, None)
            if vm is not None:
                self.capture_nv(seq, vm, now)
                vm.close()
            return
        if op == "boot":
            old = self.vms.pop(vm_id, None)
            if old is not None:
                self.capture_nv(seq, old, now)
                old.close()
        elif vm_id not in self.vms:
            if op == "request":
                self.out.append((vm_id, "respond", (payload[0], 503, {}, b"agent not running")))
            return
        before = self.rss()
        vm = self.vms.get(vm_id)
        if vm is not None and vm.sleeping:
            return  # in deep sleep: nothing runs until the host boots it again
        self.guard(seq, vm.memory if vm is not None else 0)
        try:
            if vm is None:
                vm = self.boot_vm(vm_id, payload, now)
                if vm is None:
                    return
            vm.now, vm.slept, vm.pending_error = now, 0.0, None
            self.call(vm, op, payload)
            vm.notice_drops()
        finally:
            self.unguard()
        vm.memory = max(0, vm.memory + self.rss() - before)
        if vm.memory > self.limits.memory_bytes:
            self.out.append((vm_id, "memory", vm.memory))
            self.vms.pop(vm_id).close()

    def capture_nv(self, seq: int, vm: ImpVm, now: float) -> None:
        """A device stops: its `nv` table is kept for its next warm boot (deep sleep kept it already)."""
        if vm.role != "device" or vm.sleeping:
            return
        self.guard(seq, vm.memory)
        try:
            vm.now, vm.slept = now, 0.0
            vm.entry["platform"]["nv"]()
        except Exception:  # noqa: BLE001, S110 - an nv that cannot be packed is not kept, as on an imp
            self.nvs.pop(vm.key, None)
        finally:
            self.unguard()

    def setup_device(self, vm: ImpVm, payload: dict[str, Any]) -> None:
        """Before a device's code: its pins, buses, flash and (on a warm boot) `nv`."""
        facts = vm.facts
        size = flash_bytes(facts.get("imp_type", ""))
        if size:
            epoch = payload.get("flash_epoch", 0)
            kept = self.flashes.get(vm.key)
            if kept is None or kept[0] != epoch:  # new here, or the host wiped flashes since (reset)
                kept = self.flashes[vm.key] = (epoch, Flash(size, payload.get("flash")))
            vm.flash = kept[1]
        nv = self.nvs.get(vm.key) if facts.get("wake_reason") in WARM_WAKES else None
        if nv is None:
            self.nvs.pop(vm.key, None)
        info = {
            "pins": pin_names(facts.get("imp_type", "")),
            "i2c": list(I2C_BUSES),
            "spi": list(SPI_BUSES),
            "inputs": payload.get("pins") or {},
            "flash": size,
            "nv": nv,
        }
        vm.entry["platform"]["setup"]("=" + to_literal(info))

    def boot_vm(self, vm_id: str, payload: Any, now: float) -> ImpVm | None:
        try:
            vm = self.vms[vm_id] = ImpVm(self, vm_id, payload, now)
        except Exception as exc:  # noqa: BLE001 - a VM that cannot be set up fails alone
            self.out.append((vm_id, "error", (f"the VM could not start: {exc}", [])))
            return None
        return vm

    def call(self, vm: ImpVm, op: str, payload: Any) -> None:
        try:
            if op == "boot":
                name = "device_code" if vm.role == "device" else "agent_code"
                if vm.role == "device":
                    self.setup_device(vm, payload)
                vm.entry["boot"](payload["code"], name, _seed(vm.vm_id))
            elif op == "fire":
                vm.pending.discard(payload)
                vm.entry["fire"](payload)
            elif op == "message":
                vm.entry["message"]("=" + to_literal(list(payload)))
            elif op == "connect":
                vm.connected = payload
                vm.entry["connect"](payload)
            elif op == "request":
                request_id, request = payload
                if not vm.entry["request"](request_id, "=" + to_literal(request)):
                    self.out.append((vm.vm_id, "respond", (request_id, 404, {}, b"no http.onrequest handler")))
            elif op == "httpdone":
                request_id, response = payload
                vm.http_pending.discard(request_id)
                vm.entry["platform"]["httpdone"](request_id, "=" + to_literal(response))
            elif op == "pins":
                vm.entry["platform"]["pins"]("=" + to_literal(payload))
            elif op == "idle":
                vm.entry["platform"]["idle"]()
        except Exception as exc:  # noqa: BLE001 - any Squirrel error ends this event, as on an imp
            if vm.restarting or vm.sleeping:
                return  # `server.restart()` or deep sleep ended the event; the host boots the device again
            message, frames = vm.pending_error or (str(exc), [])
            self.out.append((vm.vm_id, "error", (message, frames)))

    # -- limits -------------------------------------------------------------------------------
    def rss(self) -> int:
        return int(os.pread(self.statm, 64, 0).split()[1]) * PAGE

    def guard(self, seq: int, used: int) -> None:
        """Before an event: say which it is, cap the address space and arm the CPU watchdog."""
        fields = os.pread(self.statm, 64, 0).split()
        vsize, rss = int(fields[0]) * PAGE, int(fields[1]) * PAGE
        headroom = max(self.limits.memory_bytes - used, 0) + 32 * 1024 * 1024
        if self.clear_refs is not None:
            os.write(self.clear_refs, b"5")  # the peak RSS restarts here: a death's peak is this event's
        if self.progress is not None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            PROGRESS.pack_into(self.progress, 0, seq, rss, headroom, peak)
        hard = self.as_limit[1]
        soft = vsize + headroom
        resource.setrlimit(resource.RLIMIT_AS, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        signal.setitimer(signal.ITIMER_PROF, self.limits.cpu_seconds / self.limits.time_scale)

    def unguard(self) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0)
        resource.setrlimit(resource.RLIMIT_AS, self.as_limit)


def _seed(vm_id: str) -> int:
    return zlib.crc32(vm_id.split("#", maxsplit=1)[0].encode()) & 0x7FFFFFFF


def send(writer: Connection, message: Any) -> None:
    """Send to the host; an output that cannot be pickled is replaced by an error of its VM, never fatal."""
    try:
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - one bad output must not take the worker down
        done, outputs = message
        safe = []
        for vm_id, kind, item in outputs:
            try:
                pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
                safe.append((vm_id, kind, item))
            except Exception:  # noqa: BLE001
                safe.append((vm_id, "error", ("the worker could not pass on a value of this VM", [])))
        data = pickle.dumps((done, safe), pickle.HIGHEST_PROTOCOL)
    writer.send_bytes(data)


def main(argv: list[str]) -> None:
    """Entry point of a worker process: run batches until the host closes the pipe."""
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _fork_under_reaper(int(argv[2]), (int(argv[0]), int(argv[1])))
    # The binding prints to the C streams (a line per destroyed VM): keep them off any terminal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    reader = Connection(int(argv[0]), writable=False)
    writer = Connection(int(argv[1]), readable=False)
    progress = mmap.mmap(int(argv[2]), PAGE_SIZE)
    limits = Limits(**json.loads(argv[3]))
    worker = Worker(limits, writer, reader)
    if limits.worker_nice > 0:
        os.nice(limits.worker_nice)  # below the emulator's event loop (see `Limits.worker_nice`)
    for role in ("device", "agent"):  # warm up while the host is still setting up
        _prelude_bytecode(role)
    while True:
        try:
            batch = reader.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        send(writer, (True, worker.run_batch(batch, progress)))


def _fork_under_reaper(progress_fd: int, pipes: tuple[int, int]) -> None:
    """Run the worker proper in a child of this process, which waits for it and dies the same way.

    Why: Linux keeps a process's peak RSS (`ru_maxrss`) across exec, so a worker exec'd from a large
    parent (the emulator, or pytest) starts with that parent's peak, and growth to the memory cap
    could not be told from a crash. A child forked from this small process counts its own peak;
    this process writes it to the progress page, then ends with the child's signal or status, so the
    host diagnoses the death as before. Returns in the child only.
    """
    libc = _libc()
    if libc is None:  # no prctl: run in this process, memory deaths then read as crashes
        return
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: never outlive the reaper (the host kills it)
        if os.getppid() != parent:
            os._exit(1)
        with mmap.mmap(progress_fd, PAGE_SIZE) as page:
            PROPER.pack_into(page, PROGRESS.size, os.getpid(), 0)
        return
    for fd in pipes:
        os.close(fd)  # the host must see the pipe close when the worker proper dies
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
    while True:
        try:
            _, status, usage = os.wait4(pid, 0)
            break
        except InterruptedError:
            continue
    with mmap.mmap(progress_fd, PAGE_SIZE) as page:
        PROPER.pack_into(page, PROGRESS.size, pid, usage.ru_maxrss)
    if os.WIFSIGNALED(status):
        code = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(code, signal.SIG_DFL)
        os.kill(os.getpid(), code)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _open_clear_refs() -> int | None:
    """`/proc/self/clear_refs`, where writing 5 resets the peak RSS (Linux 4.0 and later), or None."""
    try:
        return os.open("/proc/self/clear_refs", os.O_WRONLY)
    except OSError:
        return None


def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def limits_argument(limits: Limits) -> str:
    """`Limits` as the worker's command-line argument."""
    return json.dumps(asdict(limits))


if __name__ == "__main__":
    main(sys.argv[1:])
