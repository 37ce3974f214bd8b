"""The runtime host: runs devices' and agents' code in per-account worker processes for the event loop.

The emulator tells the host what to run (`start`, `disconnect`, `stop`, `stop_all`), forwards
agent URL requests (`http_request`) and deployment compiles (`compile`); the host tells the
emulator what happened through `RuntimeEvents`. VMs of different accounts never share a process
(`_Account` holds an account's workers, started on first use): a crash, a runaway loop or a
hostile value stops at the account's own workers. The host owns the timers, the routing of
device/agent messages, error handling with restart back-off, and the verdicts when a worker dies.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import itertools
import zlib
from typing import Any

from .clock import Clock, LoopClock
from .compiler import FILES
from .hardware import Flash
from .limits import Limits, TokenBucket
from .outbound import OwnAgentsOnly, Policy
from .pool import WorkerProcess
from .records import DeviceFacts, HttpAnswer, RuntimeEvents, _Account, _Device, _Outgoing, _text, _Vm
from .supervision import REBOOT_BATCH, WAKEREASON_PIN, Supervision
from .values import check_plain, to_literal

BATCH = 512
IDLE_SECONDS = 60.0  # a worker with nothing to run is closed after this (real time)
COMPILE_CACHE = 256  # compile results kept, by the code's hash
BROKEN_RETRY = 10.0  # an account whose workers could not start tries again after this (real time)


class RuntimeHost(Supervision):
    """Runs every device's and agent's Squirrel for one emulator; see README.md for the wiring."""

    def __init__(
        self,
        events: RuntimeEvents,
        clock: Clock | None = None,
        limits: Limits | None = None,
        outbound: Policy | None = None,
    ) -> None:
        self.events = events
        self.clock = clock or LoopClock()
        self.limits = limits or Limits()
        self.outbound: Policy = outbound or OwnAgentsOnly()
        self._outgoing: dict[tuple[str, int], _Outgoing] = {}  # (vm_id, request id) -> the request in flight
        self._http_session: Any = None
        self._flashes: dict[str, Flash] = {}  # device id -> its SPI flash (outlives boots and workers)
        self._flash_epoch = 0  # stop_all() wipes every flash: workers drop flashes of an older epoch
        self._pins: dict[str, dict[str, Any]] = {}  # device id -> pin inputs the admin API set
        self._source: WorkerProcess | None = None  # the worker whose outputs are being handled
        self._accounts: dict[str, _Account] = {}
        self._devices: dict[str, _Device] = {}
        self._vms: dict[str, _Vm] = {}
        self._agents: dict[str, str] = {}
        self._requests: dict[int, tuple[str, asyncio.Future[HttpAnswer]]] = {}
        self._compiles: dict[str, asyncio.Future[dict[str, Any] | None]] = {}
        self._compiled: collections.OrderedDict[bytes, list[dict[str, Any]]] = collections.OrderedDict()
        self._seq = itertools.count(1)
        self._boots = itertools.count(1)
        self._ids = itertools.count(1)
        self._flush_pending = False
        self._reboots: collections.deque[str] = collections.deque()
        self._reboot_pending = False
        self._changed: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reaper: asyncio.TimerHandle | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    async def open(self) -> None:
        """Bind to the running event loop; workers start when an account first needs one."""
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Event()
        self._reaper = self._loop.call_later(IDLE_SECONDS / 2, self._reap_idle)

    async def close(self) -> None:
        """Stop every runtime and the workers."""
        self.stop_all()
        if self._reaper is not None:
            self._reaper.cancel()
        for account in self._accounts.values():
            for w in account.workers():
                self._retire(w)
        self._accounts.clear()
        for future in self._compiles.values():
            if not future.done():
                future.cancel()
        for outgoing in list(self._outgoing.values()):
            outgoing.cancel()
        self._outgoing.clear()
        if self._http_session is not None:
            await self._http_session.close()
            self._http_session = None

    @property
    def broken(self) -> str | None:
        """The first account whose workers cannot start, as `account: reason` (None: all can)."""
        found = next((a for a in self._accounts.values() if a.broken), None)
        if found is None:
            return None
        return f"account {found.account_id}: {found.broken}" if found.account_id else found.broken

    def state(self) -> dict[str, dict[str, Any]]:
        """Per account: whether its workers can run code, how many run, and its workers' crashes."""
        counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        for vm in self._vms.values():
            counts[self._devices[vm.device_id].facts.account_id][vm.role] += 1
        return {
            account_id: {
                "broken": account.broken,
                "workers": len(account.workers()),
                "worker_pids": sorted(w.pid for w in account.workers()),
                "devices_running": counts[account_id]["device"],
                "agents_running": counts[account_id]["agent"],
                "worker_crashes": account.crashes,
                "last_crash": account.last_crash,
            }
            for account_id, account in self._accounts.items()
        }

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
        account = self._account(facts.account_id)
        if account.broken is not None:
            if self._loop.time() - account.broken_at < BROKEN_RETRY:
                self.events.log(device_id, "status", f"Code not run: {account.broken}")
                return
            account.broken = None  # try again: whatever stopped its workers may have passed
        old = self._devices.get(device_id)
        if old is not None:
            old.cancel_restarts()
        device = self._devices[device_id] = _Device(facts, device_code, agent_code, connected)
        if old is not None and old.facts.agent_id == facts.agent_id:
            device.requests = old.requests
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
        """Stop every runtime and forget past verdicts: suspects, broken accounts (admin reset, seeding)."""
        for device_id in list(self._devices):
            self.stop(device_id)
        for account in self._accounts.values():
            account.suspects.clear()
            account.broken = None
            account.crashes = 0
            account.last_crash = None
        self._flashes.clear()
        self._flash_epoch += 1
        self._pins.clear()

    def set_pins(self, device_id: str, inputs: dict[str, Any]) -> None:
        """Levels on a device's input pins (the admin API): kept for its boots, told to its running code."""
        self._pins.setdefault(device_id, {}).update(inputs)
        device = self._devices.get(device_id)
        if device is not None and device.wake_pins and any(inputs.get(pin) for pin in device.wake_pins):
            self._wake(device_id, WAKEREASON_PIN)
            return
        vm = self._vms.get("d:" + device_id)
        if vm is not None:
            self._send(vm.vm_id, "pins", dict(inputs))
            self._schedule_flush()

    def pins(self, device_id: str) -> dict[str, Any]:
        return dict(self._pins.get(device_id, {}))

    def flash(self, device_id: str) -> Flash | None:
        """The device's simulated SPI flash as far as the host has heard (tests, the admin API)."""
        return self._flashes.get(device_id)

    def running(self, device_id: str) -> dict[str, bool]:
        return {"device": "d:" + device_id in self._vms, "agent": "a:" + device_id in self._vms}

    async def http_request(  # noqa: PLR0917 - the shape of an HTTP request, in its order
        self, agent_id: str, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> HttpAnswer:
        """A request to the agent URL `/agents/<agent_id><path>`, answered by its `http.onrequest` handler."""
        limits = self.limits
        device_id = self._agents.get(agent_id, "")
        agent = self._vms.get("a:" + device_id)
        if agent is None:
            return _text(404, "Agent not found")
        if len(body) > limits.http_body_bytes:
            return _text(413, f"The request body is larger than the agent accepts ({limits.http_body_bytes} bytes)")
        device = self._devices[device_id]
        if device.requests is None:
            device.requests = TokenBucket(limits.http_requests_per_second, limits.http_request_burst, self.clock.time())
        pending = sum(1 for target, _ in self._requests.values() if target == agent.vm_id)
        if pending >= limits.http_pending or not device.requests.take(self.clock.time()):
            return _text(429, "Too many requests to this agent; try again later", **{"Retry-After": "1"})
        request_id = next(self._ids)
        future: asyncio.Future[HttpAnswer] = self._loop.create_future()
        self._requests[request_id] = (agent.vm_id, future)
        request = {
            "method": method.upper(),
            "path": path,
            "query": dict(query),
            "headers": {k.lower(): v for k, v in headers.items()},
            "body": body.decode("utf-8", "surrogateescape"),
        }
        self._send(agent.vm_id, "request", (request_id, request))
        answer = _text(504, "The agent did not answer")
        timeout = self.clock.call_later(limits.http_timeout, lambda: self._answer(request_id, answer))
        try:
            return await future
        finally:
            timeout.cancel()
            self._requests.pop(request_id, None)

    async def compile(self, account_id: str, device_code: str, agent_code: str) -> list[dict[str, Any]]:
        """CX005 items for code that does not compile, compiled in the account's compile worker.

        Results are kept for the last `COMPILE_CACHE` code pairs: a CI fleet deploys the same code often."""
        key = hashlib.sha256(f"{len(device_code)}:{device_code}{agent_code}".encode("utf-8", "surrogatepass")).digest()
        if key in self._compiled:
            self._compiled.move_to_end(key)
            return self._compiled[key]
        found = await self._compile(account_id, device_code, agent_code)
        self._compiled[key] = found
        while len(self._compiled) > COMPILE_CACHE:
            self._compiled.popitem(last=False)
        return found

    async def _compile(self, account_id: str, device_code: str, agent_code: str) -> list[dict[str, Any]]:
        account = self._account(account_id)
        futures = []
        for name, code in zip(FILES, (device_code, agent_code), strict=True):
            job = f"c:{next(self._ids)}"
            futures.append(self._compiles.setdefault(job, self._loop.create_future()))
            if account.compiler is None:
                account.compiler = self._spawn(account_id, "compile", 0)
            self._queue(account.compiler, job, "compile", (name, code))
        try:
            results = [await future for future in futures]
        finally:
            for job in [k for k, f in self._compiles.items() if f in futures]:
                del self._compiles[job]
        return [found for found in results if found is not None]

    def _answer(self, request_id: int, answer: HttpAnswer) -> None:
        entry = self._requests.get(request_id)
        if entry is not None and not entry[1].done():
            entry[1].set_result(answer)

    def worker_pids(self) -> list[int]:
        """Process ids of the workers (benchmarks and tests measure their CPU time and memory)."""
        return [w.pid for account in self._accounts.values() for w in account.workers()]

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
            payload["saved"] = self._saved(device)
        else:
            flash = self._flashes.get(device_id)
            payload["flash"] = flash.snapshot() if flash is not None else {}
            payload["flash_epoch"] = self._flash_epoch
            payload["pins"] = dict(self._pins.get(device_id, {}))
        rate = self.limits.timer_fires_per_second
        fires = TokenBucket(rate, rate, self.clock.time())
        vm = self._vms[key] = _Vm(f"{key}#{next(self._boots)}", key, device_id, role, code, fires)
        self._send(vm.vm_id, "boot", payload)
        if role == "device":
            self._tell_agent(device_id, True)

    def _saved(self, device: _Device) -> Any:
        """What the agent saved, as plain values; what cannot be read is dropped (it must not stop the boot)."""
        try:
            saved = self.events.load(device.facts.agent_id) or {}
            check_plain(saved, self.limits.value_depth)
            to_literal(saved)
        except Exception as exc:  # noqa: BLE001 - a store's content never stops an agent
            self.events.log(
                device.facts.device_id, "status", f"server.load() starts empty: the saved data is unreadable ({exc})"
            )
            return {}
        return saved

    def _halt(self, key: str) -> None:
        vm = self._vms.pop(key, None)
        if vm is None:
            return
        for timer in vm.timers.values():
            timer.cancel()
        if vm.drain is not None:
            vm.drain.cancel()
        for request_id, (target, future) in list(self._requests.items()):
            if target == vm.vm_id and not future.done():
                future.set_result(_text(503, "The agent restarted"))
                del self._requests[request_id]
        for pending, outgoing in list(self._outgoing.items()):
            if pending[0] == vm.vm_id and outgoing.worker is None:  # a sendsync's worker waits: it is answered
                outgoing.cancel()
                del self._outgoing[pending]
        self._send(vm.vm_id, "stop", None)

    def _tell_agent(self, device_id: str, connected: bool) -> None:
        agent = self._vms.get("a:" + device_id)
        if agent is not None:
            self._send(agent.vm_id, "connect", connected)

    def _send(self, vm_id: str, op: str, payload: Any) -> None:
        w = self._placement(vm_id)
        if w is None:
            return
        if op == "stop":
            w.vms.discard(vm_id)
        else:
            w.vms.add(vm_id)
        self._queue(w, vm_id, op, payload)

    def _queue(self, w: WorkerProcess, vm_id: str, op: str, payload: Any) -> None:
        w.queue.append((next(self._seq), vm_id, op, payload, self.clock.time()))
        w.last_used = self._loop.time()
        self._schedule_flush()

    def _placement(self, vm_id: str) -> WorkerProcess | None:
        """The worker of the VM's account: its quarantine once it killed one, else by role and key."""
        key = vm_id.split("#", 1)[0]
        device = self._devices.get(key[2:])
        if device is None:  # stopped since: its worker (if any) already dropped it
            return next((w for a in self._accounts.values() for w in a.workers() if vm_id in w.vms), None)
        account = self._account(device.facts.account_id)
        if account.broken is not None:
            return None
        if key in account.suspects:
            if account.quarantine is None:
                account.quarantine = self._spawn(account.account_id, "quarantine", 0)
            return account.quarantine
        pool = account.pools["device" if key.startswith("d:") else "agent"]
        index = zlib.crc32(key.encode()) % len(pool)
        if pool[index] is None:
            pool[index] = self._spawn(account.account_id, "device" if key.startswith("d:") else "agent", index)
        return pool[index]

    def _account(self, account_id: str) -> _Account:
        account = self._accounts.get(account_id)
        if account is None:
            count = max(1, self.limits.workers)
            pools: dict[str, list[WorkerProcess | None]] = {"device": [None] * count, "agent": [None] * count}
            rate = self.limits.account_fires_per_second
            fires = TokenBucket(rate, rate, self.clock.time())
            account = self._accounts[account_id] = _Account(account_id, pools, fires=fires)
        return account

    # -- the worker pipes -------------------------------------------------------------------------
    def _spawn(self, account_id: str, role: str, index: int) -> WorkerProcess:
        w = WorkerProcess(account_id, role, index, self.limits)
        w.last_used = self._loop.time()
        self._loop.add_reader(w.reader.fileno(), self._on_readable, w)
        return w

    def _retire(self, w: WorkerProcess) -> None:
        if not w.reader.closed:
            self._loop.remove_reader(w.reader.fileno())
        w.close()

    def _schedule_flush(self) -> None:
        if not self._flush_pending and self._loop is not None:
            self._flush_pending = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        for account in list(self._accounts.values()):
            for w in account.workers():
                if w.inflight is None and w.queue:
                    w.inflight, w.queue = w.queue[:BATCH], w.queue[BATCH:]
                    try:
                        w.writer.send(w.inflight)
                    except (OSError, ValueError):
                        self._worker_died(w)

    def _on_readable(self, w: WorkerProcess) -> None:
        try:
            done, outputs = w.reader.recv()
        except (EOFError, OSError):
            self._worker_died(w)
            return
        except Exception:  # noqa: BLE001 - an unreadable answer is a broken worker, not a broken host
            w.proc.kill()
            self._worker_died(w)
            return
        if done:
            w.inflight = None
            w.answered = True
        self._source = w
        for vm_id, kind, data in outputs:
            self._handle_safely(vm_id, kind, data)
        self._source = None
        self._schedule_flush()
        self._changed.set()

    def _all_workers(self) -> list[WorkerProcess]:
        return [w for account in self._accounts.values() for w in account.workers()]

    def _busy(self) -> bool:
        if self._flush_pending or self._reboots or self._outgoing:
            return True
        return any(w.queue or w.inflight for w in self._all_workers())

    def _reap_idle(self) -> None:
        """Close workers that have had nothing to run for `IDLE_SECONDS` (memory back to the machine)."""
        now = self._loop.time()
        for account in self._accounts.values():
            for w in account.workers():
                if not (w.vms or w.queue or w.inflight) and now - w.last_used > IDLE_SECONDS:
                    self._forget(account, w)
                    self._retire(w)
        self._reaper = self._loop.call_later(IDLE_SECONDS / 2, self._reap_idle)

    def _forget(self, account: _Account, w: WorkerProcess) -> None:
        if w is account.quarantine:
            account.quarantine = None
        elif w is account.compiler:
            account.compiler = None
        else:
            pool = account.pools[w.role]
            if pool[w.index] is w:
                pool[w.index] = None


__all__ = ["REBOOT_BATCH", "DeviceFacts", "HttpAnswer", "Limits", "RuntimeEvents", "RuntimeHost"]
