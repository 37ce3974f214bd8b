"""The host's half that reacts: outputs of the VMs, failures with restart back-off, deaths of workers.

`RuntimeHost` inherits this; it uses the host's records (`_vms`, `_devices`, `_accounts`, ...).
A worker that dies takes only its own account's VMs with it: the VM it was running fails as an imp
would (with the real reason: the watchdog, memory, or the crash's signal) and moves to the
account's quarantine worker; the account's other VMs of that worker boot again, saying why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .compiler import crashed
from .hardware import Flash, flash_bytes
from .outbound import CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, failure, fetch, from_answer, own_agent
from .records import HttpAnswer, _Outgoing
from .values import Unsendable, check_plain

if TYPE_CHECKING:
    from .host import RuntimeHost
    from .pool import WorkerProcess
    from .records import _Vm

WAKEREASON_TIMER = 1
WAKEREASON_PIN = 3
WAKEREASON_SQUIRREL_ERROR = 5


class _Due:
    """Stands for a timer that fell due and waits for its VM's timer budget (nothing to cancel)."""

    def cancel(self) -> None:
        pass


_DUE = _Due()
REBOOT_BATCH = 64  # survivors of a killed worker booted per turn of the event loop


class Supervision:
    # -- outputs of the VMs -------------------------------------------------------------------------
    def _handle_safely(self: RuntimeHost, vm_id: str, kind: str, data: Any) -> None:
        """Handle one output; whatever goes wrong stays with that VM's device (a status line)."""
        try:
            self._handle(vm_id, kind, data)
        except Exception as exc:  # noqa: BLE001 - one VM's output must not stop the host
            device_id = vm_id.split("#", 1)[0][2:]
            if device_id in self._devices:
                self.events.log(device_id, "status", f"The emulator could not handle this code's {kind}: {exc}")

    def _handle(self: RuntimeHost, vm_id: str, kind: str, data: Any) -> None:  # noqa: PLR0912 - one case per kind
        if kind == "compiled":
            future = self._compiles.get(vm_id)
            if future is not None and not future.done():
                future.set_result(data)
            return
        if kind == "respond":
            request_id, status, headers, body = data
            self._answer(request_id, self._http_answer(status, headers, body))
            return
        key = vm_id.split("#", 1)[0]
        vm = self._vms.get(key)
        prefix = "server" if key.startswith("d:") else "agent"
        if kind == "flash":  # flash is written even by a VM stopped since: the chip keeps it
            self._flash_written(key[2:], data)
            return
        if kind == "http" and data[1].get("sync"):  # its worker waits for the answer whatever happens
            self._http_out(vm if vm is not None and vm.vm_id == vm_id else None, vm_id, data[0], data[1])
            return
        if kind in ("log", "notice"):  # even from a VM replaced since: it ran, a real device would have sent it
            if key[2:] in self._devices:
                if kind == "notice":
                    self.events.log(key[2:], "status", data)
                else:
                    self.events.log(key[2:], f"{prefix}.{'error' if data[0] else 'log'}", data[1])
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
            if peer is not None and not peer.link_down:  # a device that disconnected hears nothing
                self._send(peer.vm_id, "message", data)
        elif kind == "link":  # the device's code dropped or restored its connection
            if vm.link_down == data:
                vm.link_down = not data
                self.events.connection(vm.device_id, data)
                self._tell_agent(vm.device_id, data)
        elif kind == "restart":  # `server.restart()`: the device boots again after the back-off, as an imp reboots
            self._halt(vm.key)
            if not vm.link_down:
                self.events.connection(vm.device_id, False)
                self._tell_agent(vm.device_id, False)
            device.cancel_restarts("device")
            back = self.limits.restart_backoff
            device.restarts["device"] = self.clock.call_later(back, lambda: self._restart(vm.device_id, "device", data))
        elif kind == "save":
            check_plain(data, self.limits.value_depth)
            self.events.save(device.facts.agent_id, data)
        elif kind == "http":
            self._http_out(vm, vm_id, data[0], data[1])
        elif kind == "httpcancel":
            outgoing = self._outgoing.pop((vm_id, data), None)
            if outgoing is not None:
                outgoing.cancel()
                self._changed.set()
        elif kind == "idle":
            self._send(vm.vm_id, "idle", None)
        elif kind == "deepsleep":
            self._deep_sleep(vm, data)

    # -- the platform: flash, deep sleep, agents' own requests ----------------------------------------
    def _flash_written(self: RuntimeHost, device_id: str, change: tuple[str, int, bytes]) -> None:
        """Mirror a write or erase: a worker that dies takes no flash with it."""
        device = self._devices.get(device_id)
        flash = self._flashes.get(device_id)
        if flash is None:
            size = flash_bytes(device.facts.imp_type) if device is not None else 0
            if not size:
                return
            flash = self._flashes[device_id] = Flash(size)
        what, address, data = change
        if what == "e":
            flash.erase(address)
        else:
            flash.write(address, data)

    def _deep_sleep(self: RuntimeHost, vm: _Vm, sleep: tuple[float, list[str]]) -> None:
        """The device goes offline (its agent hears it) and boots again after the time (woken by the timer)
        or when one of its wake pins is driven high (`set_pins`)."""
        seconds, wakers = sleep
        device = self._devices[vm.device_id]
        device.wake_pins = set(wakers)
        self._halt(vm.key)
        self.events.connection(vm.device_id, False)
        self._tell_agent(vm.device_id, False)
        device.cancel_restarts("device")
        device.restarts["device"] = self.clock.call_later(seconds, lambda: self._wake(vm.device_id))
        self._schedule_flush()

    def _wake(self: RuntimeHost, device_id: str, reason: int = WAKEREASON_TIMER) -> None:
        device = self._devices.get(device_id)
        if device is None:
            return
        device.cancel_restarts("device")
        device.wake_pins = None
        if not device.connected:
            return
        self.events.connection(device_id, True)
        self._boot(device_id, "device", device.device_code, reason)
        self._schedule_flush()

    def _http_out(self: RuntimeHost, vm: _Vm | None, vm_id: str, request_id: int, spec: dict[str, Any]) -> None:
        """Make an agent's request on the event loop; the answer goes back as `httpdone` (or to the waiting
        worker for a sendsync). The timeout runs on the runtime's clock; an agent URL of this emulator is
        answered in process."""
        waiting = self._source if spec.get("sync") else None
        key = (vm_id, request_id)
        device = self._devices.get(vm.device_id) if vm is not None else None

        async def request() -> dict[str, Any]:
            if device is None:
                return failure(CURLE_RECV_ERROR, "the agent restarted")
            own = own_agent(spec["url"], device.facts.agent_url_base)
            if own is not None:
                agent_id, path, query = own
                answer = await self.http_request(agent_id, spec["method"], path, query, spec["headers"], spec["body"])
                return from_answer(answer)
            if self._http_session is None:
                import aiohttp

                # No session-wide timeout: each request's own (on the runtime clock) ends it.
                self._http_session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
            return await fetch(spec, self.outbound, self.limits, self._http_session)

        def finish(response: dict[str, Any]) -> None:
            outgoing = self._outgoing.pop(key, None)
            if outgoing is None or outgoing.done:
                return
            outgoing.cancel()
            self._changed.set()
            if waiting is not None:
                try:
                    waiting.writer.send(("httpsync", request_id, response))
                except (OSError, ValueError):
                    pass  # the worker died meanwhile
                return
            current = self._vms.get(vm.key) if vm is not None else None
            if current is vm:
                self._send(vm.vm_id, "httpdone", (request_id, response))

        def done(task: Any) -> None:
            if task.cancelled():
                return
            error = task.exception()
            finish(failure(CURLE_RECV_ERROR, f"{type(error).__name__}: {error}") if error else task.result())

        task = self._loop.create_task(request())
        timeout = spec.get("timeout", 600.0)
        seconds = timeout if timeout >= 0 else 10 * 365 * 86400.0  # NO_TIMEOUT
        expired = failure(CURLE_OPERATION_TIMEDOUT, f"the request timed out after {timeout:g} s")
        timer = self.clock.call_later(seconds, lambda: finish(expired))
        self._outgoing[key] = _Outgoing(task, timer, waiting)
        task.add_done_callback(done)

    def _http_answer(self: RuntimeHost, status: Any, headers: Any, body: Any) -> Any:
        if not isinstance(status, int) or not 100 <= status <= 599:  # noqa: PLR2004 - HTTP's status range
            raise Unsendable(f"response.send: {status} is not an HTTP status")
        return HttpAnswer(status, {str(k): str(v) for k, v in headers.items()}, bytes(body))

    def _fire(self: RuntimeHost, vm: _Vm, handle: int) -> None:
        """A timer is due: it joins the VM's due timers, which run as fast as the VM's and its account's
        timer budgets allow (one waiting callback per VM, not one per timer: a thousand throttled
        timers must not wake the event loop a thousand times per refill)."""
        if self._vms.get(vm.key) is not vm or handle not in vm.timers:
            return
        vm.timers[handle] = _DUE
        vm.due.append(handle)
        if vm.drain is None:
            self._drain(vm)

    def _drain(self: RuntimeHost, vm: _Vm) -> None:
        vm.drain = None
        if self._vms.get(vm.key) is not vm:
            return
        shared = self._account(self._devices[vm.device_id].facts.account_id).fires
        while vm.due:
            handle = vm.due[0]
            if vm.timers.get(handle) is not _DUE:  # cancelled since
                vm.due.popleft()
                continue
            now = self.clock.time()
            wait = max(vm.fires.wait(now), shared.wait(now))
            if wait > 0:
                # At least a millisecond: a wait that rounds to nothing would run again at the same time, for ever.
                vm.drain = self.clock.call_later(max(wait, 0.001), lambda: self._drain(vm))
                return
            vm.fires.take(now)
            shared.take(now)
            vm.due.popleft()
            del vm.timers[handle]
            self._send(vm.vm_id, "fire", handle)

    def _failed(self: RuntimeHost, vm: _Vm, message: str, frames: list[str], fatal: bool) -> None:
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

    def _restart(self: RuntimeHost, device_id: str, role: str, wake_reason: int = WAKEREASON_SQUIRREL_ERROR) -> None:
        device = self._devices.get(device_id)
        if device is None:
            return
        device.restarts.pop(role, None)
        if role == "device":
            if not device.connected:
                return
            self.events.connection(device_id, True)
            self._boot(device_id, "device", device.device_code, wake_reason)
        else:
            self._boot(device_id, "agent", device.agent_code)
        self._schedule_flush()

    # -- deaths of workers ----------------------------------------------------------------------------
    def _worker_died(self: RuntimeHost, w: WorkerProcess) -> None:
        """Blame the event in flight (the progress page says which), then recover that account only."""
        if w.reader.closed:
            return
        self._loop.remove_reader(w.reader.fileno())
        death = w.diagnose()
        unrun = [*(w.inflight or []), *w.queue]
        culprit = next((vm_id for seq, vm_id, *_ in unrun if seq == death.seq), None) if death.seq else None
        account = self._accounts[w.account]
        self._forget(account, w)
        w.close()
        self._changed.set()
        if w.role == "compile":
            self._recompile(account.account_id, unrun, culprit, death.what)
            return
        if culprit is None and not w.answered:
            # It died before running anything: the installation, not code. The account waits, then tries again.
            account.broken = f"a Squirrel worker process stopped before running any code ({death.what})"
            account.broken_at = self._loop.time()
            for vm_id in sorted(w.vms):
                vm = self._vms.pop(vm_id.split("#", 1)[0], None)
                if vm is not None:
                    self.events.log(vm.device_id, "status", f"Code not run: {account.broken}")
            return
        account.crashes += 1
        account.last_crash = death.reason
        vm = self._vms.get((culprit or "").split("#", 1)[0])
        if vm is not None and vm.vm_id == culprit:
            account.suspects.add(vm.key)
            self._failed(vm, death.reason, [], fatal=True)
        note = f"Code restarted: other code of this account stopped the worker process they shared ({death.what})"
        self._reboots.extend((vm_id, note) for vm_id in sorted(w.vms - {culprit}))
        self._schedule_reboots()
        self._schedule_flush()

    def _recompile(self: RuntimeHost, account_id: str, unrun: list[Any], culprit: str | None, what: str) -> None:
        """A compile worker died: the compile it ran fails with the reason, the others run again."""
        for _seq, job, _op, payload, _now in unrun:
            future = self._compiles.get(job)
            if future is None or future.done():
                continue
            if job == culprit:
                future.set_result(crashed(payload[0], what))
                continue
            account = self._account(account_id)
            if account.compiler is None:
                account.compiler = self._spawn(account_id, "compile", 0)
            self._queue(account.compiler, job, "compile", payload)

    def _schedule_reboots(self: RuntimeHost) -> None:
        if self._reboots and not self._reboot_pending:
            self._reboot_pending = True
            self._loop.call_soon(self._reboot_some)

    def _reboot_some(self: RuntimeHost) -> None:
        """Boot the next survivors of a killed worker that still run the boot it hosted."""
        self._reboot_pending = False
        for _ in range(min(REBOOT_BATCH, len(self._reboots))):
            vm_id, note = self._reboots.popleft()
            vm = self._vms.get(vm_id.split("#", 1)[0])
            if vm is None or vm.vm_id != vm_id:
                continue  # stopped or booted again since
            device = self._devices[vm.device_id]
            self.events.log(vm.device_id, "status", note)
            self._boot(vm.device_id, vm.role, vm.code, device.facts.wake_reason)
        self._schedule_reboots()
        self._schedule_flush()
        self._changed.set()
