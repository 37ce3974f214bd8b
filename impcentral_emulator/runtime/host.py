"""The runtime host: runs devices' and agents' code in worker processes for the emulator's event loop.

The emulator tells the host what to run (`start`, `disconnect`, `stop`, `stop_all`) and forwards
agent URL requests (`http_request`); the host tells the emulator what happened through
`RuntimeEvents` (log lines, `server.save`/`server.load`, a device dropping off and coming back
around a crash). VMs live in worker processes (see `worker.py`); the host owns the timers, the
routing of device/agent messages, error handling with restart back-off, and the watchdog's
verdicts when a worker dies.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import mmap
import os
import signal
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Protocol

from .clock import Cancellable, Clock, LoopClock

WAKEREASON_SQUIRREL_ERROR = 5
BATCH = 512
REBOOT_BATCH = 64  # survivors of a killed worker booted per turn of the event loop


@dataclass(frozen=True)
class DeviceFacts:
    """What a device's code can learn about itself (imp API getters)."""

    device_id: str
    agent_id: str
    mac: str
    imp_type: str
    software_version: str
    agent_url_base: str
    wake_reason: int = 0


@dataclass(frozen=True)
class Limits:
    """Per-VM limits and timings. `cpu_seconds` bounds one callback (boot, timer, message, request).

    `worker_nice` lowers the workers' scheduling priority: a spinning VM or a worker booting a
    thousand VMs then takes the CPU the event loop leaves over, not the CPU the API needs.
    """

    cpu_seconds: float = 2.0
    memory_bytes: int = 16 * 1024 * 1024
    restart_backoff: float = 2.0
    http_timeout: float = 30.0
    workers: int = 1
    worker_nice: int = 10


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


_TIMED_OUT = HttpAnswer(504, {"Content-Type": "text/plain"}, b"The agent did not answer")


class RuntimeEvents(Protocol):
    """What the emulator hears from the runtime. Called on the event loop, never concurrently."""

    def log(self, device_id: str, log_type: str, message: str) -> None:
        """A log line: `server.log`, `server.error`, `agent.log`, `agent.error` or `status`."""

    def save(self, agent_id: str, data: Any) -> None:
        """`server.save(table)` in the agent: persist `data` (plain JSON-like Python, blobs as bytes)."""

    def load(self, agent_id: str) -> Any:
        """What the agent saved last (a dict), read when the agent boots; `{}` if nothing."""

    def connection(self, device_id: str, connected: bool) -> None:
        """The device dropped off (its code failed and it is restarting) or came back after it."""


@dataclass
class _Vm:
    """The host's record of one boot of a device or agent VM; `vm_id` is unique per boot."""

    vm_id: str
    key: str
    device_id: str
    role: str
    code: str
    timers: dict[int, Cancellable] = field(default_factory=dict)


@dataclass
class _Device:
    facts: DeviceFacts
    device_code: str
    agent_code: str
    connected: bool
    restarts: dict[str, Cancellable] = field(default_factory=dict)
    boot_facts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Once per start: `asdict` deep-copies, too slow to repeat for every VM a killed worker hosted.
        self.boot_facts = asdict(self.facts)

    def cancel_restarts(self, *roles: str) -> None:
        for role in roles or tuple(self.restarts):
            timer = self.restarts.pop(role, None)
            if timer is not None:
                timer.cancel()


class _Worker:
    """A worker process (`python -m impcentral_emulator.runtime.worker`) and its two pipes.

    A plain subprocess, not multiprocessing: spawning through multiprocessing re-imports the
    emulator's main module in every worker. `progress` is a shared 8-byte page where the worker
    writes the sequence number of the event it is running.
    """

    def __init__(self, role: str, index: int, limits: Limits) -> None:
        self.role = role
        self.index = index
        self.answered = False
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self._progress_file = tempfile.TemporaryFile()
        self._progress_file.truncate(8)
        self.progress = mmap.mmap(self._progress_file.fileno(), 8)
        command = [
            sys.executable,
            "-m",
            "impcentral_emulator.runtime.worker",
            str(to_child_r),
            str(from_child_w),
            str(self._progress_file.fileno()),
            repr(limits.cpu_seconds),
            str(limits.memory_bytes),
            str(limits.worker_nice),
        ]
        self.proc = subprocess.Popen(
            command,
            pass_fds=(to_child_r, from_child_w, self._progress_file.fileno()),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.writer = Connection(to_child_w, readable=False)
        self.reader = Connection(from_child_r, writable=False)
        self.queue: list[tuple[int, str, str, Any, float]] = []
        self.inflight: list[tuple[int, str, str, Any, float]] | None = None
        self.vms: set[str] = set()

    def running_seq(self) -> int:
        return struct.unpack_from("q", self.progress, 0)[0]

    def exitcode(self) -> int | None:
        try:
            return self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def close(self) -> None:
        for conn in (self.writer, self.reader):
            conn.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.progress.close()
        self._progress_file.close()


class RuntimeHost:
    """Runs every device's and agent's Squirrel for one emulator; see README.md for the wiring."""

    def __init__(self, events: RuntimeEvents, clock: Clock | None = None, limits: Limits | None = None) -> None:
        self.events = events
        self.clock = clock or LoopClock()
        self.limits = limits or Limits()
        self._workers: dict[str, list[_Worker]] = {"device": [], "agent": []}
        self._quarantine: _Worker | None = None
        self._suspects: set[str] = set()
        self._devices: dict[str, _Device] = {}
        self._vms: dict[str, _Vm] = {}
        self._agents: dict[str, str] = {}
        self._requests: dict[int, tuple[str, asyncio.Future[HttpAnswer]]] = {}
        self._seq = itertools.count(1)
        self._boots = itertools.count(1)
        self._request_ids = itertools.count(1)
        self._flush_pending = False
        self._reboots: collections.deque[str] = collections.deque()
        self._reboot_pending = False
        self._changed: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.broken: str | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    async def open(self) -> None:
        """Start the worker processes (call once, on the event loop that will own the host)."""
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        for role, pool in self._workers.items():
            for index in range(max(1, self.limits.workers)):
                pool.append(self._spawn(role, index))

    async def close(self) -> None:
        """Stop every runtime and the workers."""
        self.stop_all()
        for w in self._all_workers():
            if not w.reader.closed:
                self._loop.remove_reader(w.reader.fileno())
            w.close()
        self._workers = {"device": [], "agent": []}
        self._quarantine = None

    # -- what the emulator asks -----------------------------------------------------------------
    def start(
        self,
        facts: DeviceFacts,
        device_code: str,
        agent_code: str,
        *,
        connected: bool = True,
        restart_agent: bool = True,
    ) -> None:
        """(Re)start a device's code from scratch; its agent too unless `restart_agent` is False and it runs."""
        device_id = facts.device_id
        if self.broken is not None:
            self.events.log(device_id, "status", f"Code not run: {self.broken}")
            return
        old = self._devices.get(device_id)
        if old is not None:
            old.cancel_restarts()
        self._devices[device_id] = _Device(facts, device_code, agent_code, connected)
        self._agents[facts.agent_id] = device_id
        agent_vm = self._vms.get("a:" + device_id)
        if restart_agent or agent_vm is None or agent_vm.code != agent_code:
            self._boot(device_id, "agent", agent_code)
        if connected:
            self._boot(device_id, "device", device_code)
        else:
            self._halt("d:" + device_id)
        self._schedule_flush()

    def disconnect(self, device_id: str) -> None:
        """The device went offline: its code stops, its agent keeps running and hears `ondisconnect`."""
        device = self._devices.get(device_id)
        if device is None:
            return
        device.cancel_restarts("device")
        device.connected = False
        self._halt("d:" + device_id)
        self._tell_agent(device_id, False)
        self._schedule_flush()

    def stop(self, device_id: str) -> None:
        """The device runs nothing any more (unassigned, deleted, its group has no deployment)."""
        device = self._devices.pop(device_id, None)
        if device is None:
            return
        device.cancel_restarts()
        self._agents.pop(device.facts.agent_id, None)
        self._halt("d:" + device_id)
        self._halt("a:" + device_id)
        self._schedule_flush()

    def stop_all(self) -> None:
        """Stop every runtime and forget past watchdog verdicts (admin reset, seeding, tests)."""
        for device_id in list(self._devices):
            self.stop(device_id)
        self._suspects.clear()

    def running(self, device_id: str) -> dict[str, bool]:
        return {"device": "d:" + device_id in self._vms, "agent": "a:" + device_id in self._vms}

    async def http_request(  # noqa: PLR0917 - the shape of an HTTP request, in its order
        self, agent_id: str, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> HttpAnswer:
        """A request to the agent URL `/agents/<agent_id><path>`, answered by its `http.onrequest` handler."""
        agent = self._vms.get("a:" + self._agents.get(agent_id, ""))
        if agent is None:
            return HttpAnswer(404, {"Content-Type": "text/plain"}, b"Agent not found")
        request_id = next(self._request_ids)
        future: asyncio.Future[HttpAnswer] = self._loop.create_future()
        self._requests[request_id] = (agent.vm_id, future)
        request = {
            "method": method.upper(),
            "path": path,
            "query": dict(query),
            "headers": {k.lower(): v for k, v in headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        self._send(agent.vm_id, "request", (request_id, request))
        timeout = self.clock.call_later(self.limits.http_timeout, lambda: self._answer(request_id, _TIMED_OUT))
        try:
            return await future
        finally:
            timeout.cancel()
            self._requests.pop(request_id, None)

    def _answer(self, request_id: int, answer: HttpAnswer) -> None:
        entry = self._requests.get(request_id)
        if entry is not None and not entry[1].done():
            entry[1].set_result(answer)

    def worker_pids(self) -> list[int]:
        """Process ids of the workers (benchmarks measure their CPU time and memory)."""
        return [w.proc.pid for w in self._all_workers()]

    async def idle(self) -> None:
        """Wait until every queued event has run and its outputs are handled (tests, benchmarks)."""
        await asyncio.sleep(0)  # let tasks that are about to queue work (a request) do so first
        while self._busy():
            self._changed.clear()
            await self._changed.wait()

    # -- VMs ------------------------------------------------------------------------------------
    def _boot(self, device_id: str, role: str, code: str, wake_reason: int | None = None) -> None:
        key = ("d:" if role == "device" else "a:") + device_id
        self._halt(key)
        device = self._devices[device_id]
        facts = device.boot_facts
        if wake_reason is not None and wake_reason != facts["wake_reason"]:
            facts = {**facts, "wake_reason": wake_reason}
        payload: dict[str, Any] = {"role": role, "facts": facts, "code": code, "connected": device.connected}
        if role == "agent":
            payload["saved"] = self.events.load(device.facts.agent_id) or {}
        vm = self._vms[key] = _Vm(f"{key}#{next(self._boots)}", key, device_id, role, code)
        self._send(vm.vm_id, "boot", payload)
        if role == "device":
            self._tell_agent(device_id, True)

    def _halt(self, key: str) -> None:
        vm = self._vms.pop(key, None)
        if vm is None:
            return
        for timer in vm.timers.values():
            timer.cancel()
        for request_id, (target, future) in list(self._requests.items()):
            if target == vm.vm_id and not future.done():
                future.set_result(HttpAnswer(503, {"Content-Type": "text/plain"}, b"The agent restarted"))
                del self._requests[request_id]
        self._send(vm.vm_id, "stop", None)

    def _tell_agent(self, device_id: str, connected: bool) -> None:
        agent = self._vms.get("a:" + device_id)
        if agent is not None:
            self._send(agent.vm_id, "connect", connected)

    def _send(self, vm_id: str, op: str, payload: Any) -> None:
        if self.broken is not None:
            return
        w = self._placement(vm_id)
        if op == "stop":
            w.vms.discard(vm_id)
        else:
            w.vms.add(vm_id)
        w.queue.append((next(self._seq), vm_id, op, payload, self.clock.time()))
        self._schedule_flush()

    def _placement(self, vm_id: str) -> _Worker:
        key = vm_id.split("#", 1)[0]
        if key in self._suspects:
            if self._quarantine is None:
                self._quarantine = self._spawn("quarantine", 0)
            return self._quarantine
        pool = self._workers["device" if key.startswith("d:") else "agent"]
        return pool[zlib.crc32(key.encode()) % len(pool)]

    # -- the worker pipes -------------------------------------------------------------------------
    def _spawn(self, role: str, index: int) -> _Worker:
        w = _Worker(role, index, self.limits)
        self._loop.add_reader(w.reader.fileno(), self._on_readable, w)
        return w

    def _schedule_flush(self) -> None:
        if not self._flush_pending and self._loop is not None:
            self._flush_pending = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        for w in self._all_workers():
            if w.inflight is None and w.queue:
                w.inflight, w.queue = w.queue[:BATCH], w.queue[BATCH:]
                try:
                    w.writer.send(w.inflight)
                except (OSError, ValueError):
                    self._worker_died(w)

    def _on_readable(self, w: _Worker) -> None:
        try:
            done, outputs = w.reader.recv()
        except (EOFError, OSError):
            self._worker_died(w)
            return
        if done:
            w.inflight = None
            w.answered = True
        for vm_id, kind, data in outputs:
            self._handle(vm_id, kind, data)
        self._schedule_flush()
        self._changed.set()

    def _worker_died(self, w: _Worker) -> None:
        """The watchdog fired (CPU time: SIGPROF) or the VM ran out of memory: blame the event in flight."""
        self._loop.remove_reader(w.reader.fileno())
        code = w.exitcode()
        seq = w.running_seq()
        culprit = next((vm_id for s, vm_id, *_ in (w.inflight or []) if s == seq), None)
        w.close()
        if culprit is None and not w.answered:
            # It died before running anything: a broken installation, not a VM. Do not loop.
            self.broken = f"a Squirrel worker process exited with status {code} before running any code"
            for vm_id in list(w.vms):
                vm = self._vms.pop(vm_id.split("#", 1)[0], None)
                if vm is not None:
                    self.events.log(vm.device_id, "status", f"Code not run: {self.broken}")
            self._changed.set()
            return
        replacement = self._spawn(w.role, w.index)
        if w is self._quarantine:
            self._quarantine = replacement
        else:
            self._workers[w.role][w.index] = replacement
        if code == -signal.SIGPROF:
            reason = f"watchdog: the code ran for more than {self.limits.cpu_seconds:g} s of CPU time"
        else:
            reason = "out of memory"
        # Every VM the worker hosted is gone: the culprit fails as an imp would, the others boot again,
        # a batch per turn of the event loop so that a worker of thousands of VMs does not stall the API.
        vm = self._vms.get((culprit or "").split("#", 1)[0])
        if vm is not None and vm.vm_id == culprit:
            self._suspects.add(vm.key)
            self._failed(vm, reason, [], fatal=True)
        self._reboots.extend(sorted(w.vms - {culprit}))
        self._schedule_reboots()
        self._schedule_flush()
        self._changed.set()

    def _schedule_reboots(self) -> None:
        if self._reboots and not self._reboot_pending:
            self._reboot_pending = True
            self._loop.call_soon(self._reboot_some)

    def _reboot_some(self) -> None:
        """Boot the next survivors of a killed worker that still run the boot it hosted."""
        self._reboot_pending = False
        for _ in range(min(REBOOT_BATCH, len(self._reboots))):
            vm_id = self._reboots.popleft()
            vm = self._vms.get(vm_id.split("#", 1)[0])
            if vm is None or vm.vm_id != vm_id:
                continue  # stopped or booted again since
            device = self._devices[vm.device_id]
            self._boot(vm.device_id, vm.role, vm.code, device.facts.wake_reason)
        self._schedule_reboots()
        self._schedule_flush()
        self._changed.set()

    def _all_workers(self) -> list[_Worker]:
        return [*self._workers["device"], *self._workers["agent"], *([self._quarantine] if self._quarantine else [])]

    def _busy(self) -> bool:
        if self.broken is not None:
            return False
        return self._flush_pending or bool(self._reboots) or any(w.queue or w.inflight for w in self._all_workers())

    # -- outputs of the VMs -------------------------------------------------------------------------
    def _handle(self, vm_id: str, kind: str, data: Any) -> None:
        key = vm_id.split("#", 1)[0]
        vm = self._vms.get(key)
        if kind == "respond":
            request_id, status, headers, body = data
            self._answer(request_id, HttpAnswer(status, headers, body))
            return
        prefix = "server" if key.startswith("d:") else "agent"
        if kind == "log":  # even from a VM replaced since: it ran, and a real device would have sent it
            is_error, message = data
            if key[2:] in self._devices:
                self.events.log(key[2:], f"{prefix}.{'error' if is_error else 'log'}", message)
            return
        if vm is None or vm.vm_id != vm_id:  # anything else of a VM stopped since is moot
            return
        device = self._devices[vm.device_id]
        if kind == "error":
            self._failed(vm, data[0], data[1], fatal=vm.role == "device")
        elif kind == "memory":
            self._failed(vm, "out of memory", [], fatal=True)
        elif kind == "wakeup":
            handle, due = data  # due on the VM's clock: the pipe's latency does not stretch periods
            vm.timers[handle] = self.clock.call_later(due - self.clock.time(), lambda: self._fire(vm, handle))
        elif kind == "cancel":
            timer = vm.timers.pop(data, None)
            if timer is not None:
                timer.cancel()
        elif kind == "send":
            peer = self._vms.get(("a:" if vm.role == "device" else "d:") + vm.device_id)
            if peer is not None:
                self._send(peer.vm_id, "message", data)
        elif kind == "save":
            self.events.save(device.facts.agent_id, data)

    def _fire(self, vm: _Vm, handle: int) -> None:
        if self._vms.get(vm.key) is vm and vm.timers.pop(handle, None) is not None:
            self._send(vm.vm_id, "fire", handle)

    def _failed(self, vm: _Vm, message: str, frames: list[str], fatal: bool) -> None:
        """Log the error as an imp does; a device (or an agent that hit a limit) restarts after a back-off."""
        log_type = "server.error" if vm.role == "device" else "agent.error"
        self.events.log(vm.device_id, log_type, f"ERROR: {message}")
        for i, frame in enumerate(frames):
            self.events.log(vm.device_id, log_type, f"ERROR:   {'at' if i == 0 else 'from'} {frame}")
        if not fatal:
            return
        device = self._devices[vm.device_id]
        self._halt(vm.key)
        if vm.role == "device":
            self.events.connection(vm.device_id, False)
            self._tell_agent(vm.device_id, False)
        device.cancel_restarts(vm.role)
        back = self.limits.restart_backoff
        device.restarts[vm.role] = self.clock.call_later(back, lambda: self._restart(vm.device_id, vm.role))

    def _restart(self, device_id: str, role: str) -> None:
        device = self._devices.get(device_id)
        if device is None:
            return
        device.restarts.pop(role, None)
        if role == "device":
            if not device.connected:
                return
            self.events.connection(device_id, True)
            self._boot(device_id, "device", device.device_code, WAKEREASON_SQUIRREL_ERROR)
        else:
            self._boot(device_id, "agent", device.agent_code)
        self._schedule_flush()
