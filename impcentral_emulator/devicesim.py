"""Simulated devices (spec §9, §16.8): the lifecycle a real device logs, and the code it runs.

On assignment, restart or new code a device logs its `status` lines (`Device connected`,
`Downloading new code; ...`, `Agent restarted: reload.`), shortly after the triggering request has
been answered, like the real service. Then its code runs:

* with execution on (a `runtime.RuntimeHost`), the device's and agent's Squirrel really runs in the
  runtime's per-account worker processes; what it logs comes back through `RuntimeEvents`
  (this class implements them) into the device's history and streams;
* with execution off, the device logs the literal `server.log`/`agent.log` strings of its code and,
  for impUnit test builds, the impUnit protocol.

The simulator is an observer of the models (`models/events.py`) and changes devices only through
them. It knows the models, the configuration and the runtime, never the emulator that wires them.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any

from . import impunit, runtime
from .config import EmulatorConfig
from .models import Models, Observer
from .models.outbound import OutboundPolicy
from .squirrel_text import SERVER_ERROR, SERVER_LOG, log_literals
from .store import Record

PROGRAM_STORAGE_BYTES = 128 * 1024
SOFTWARE_VERSION = "c9d0b5a - release-44.11 - Wed Oct 7 12:00:00 2026"
WAKEREASON_POWER_ON = 0
WAKEREASON_NEW_SQUIRREL = 4
WAKEREASON_SW_RESTART = 10


def storage_used_percent(device_code: str) -> str:
    return f"{min(99.99, 1.5 + 100 * len(device_code.encode()) / PROGRAM_STORAGE_BYTES):.2f}"


class DeviceSimulator(Observer):
    """Devices' lifecycle lines, and their code: run by `host` when given, else its literal lines."""

    def __init__(
        self,
        models: Models,
        config: EmulatorConfig,
        limits: runtime.Limits | None = None,
        clock: runtime.Clock | None = None,
    ) -> None:
        self.models = models
        self.config = config
        self.agent_url_base = f"http://{config.host}:{config.port}/agents"  # set again once listening
        self._tasks: set[asyncio.Task[None]] = set()
        policy = OutboundPolicy(config.allow_outbound)
        self.host = (
            runtime.RuntimeHost(self, clock=clock, limits=limits, outbound=policy) if limits is not None else None
        )
        self._open = False
        self._commit_pending = False
        self.code_lines = 0  # lines the code logged since start (admin `GET /_emulator/runtime`, benchmarks)
        self.models.events.subscribe(self)

    # -- lifecycle ----------------------------------------------------------------------------
    async def open(self) -> None:
        """On the server's event loop: the runtime binds to it (workers start on first use)."""
        if self.host is not None:
            await self.host.open()
            self._open = True

    async def close(self) -> None:
        self.cancel_all()
        if self._open:
            self._open = False
            await self.host.close()

    def cancel_all(self) -> None:
        """Pending boots are dropped; with execution on, every runtime stops and past verdicts are cleared."""
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        if self._open:
            self.host.stop_all()

    def boot_placed(self) -> None:
        """Devices a seed or a database put in a group run their code (no status lines: that boot is history)."""
        if not self._open:
            return
        for device in list(self.models.store.values("device")):
            deployment = self._deployment_of(device)
            if deployment is not None and device["online"]:
                self._start(device, deployment, agent_restarts=True, wake_reason=WAKEREASON_POWER_ON)

    def set_pins(self, device: Record, inputs: dict[str, Any]) -> dict[str, Any] | None:
        """Levels on the device's input pins (admin API); None with execution off."""
        if self.host is None:
            return None
        self.host.set_pins(device["id"], inputs)
        return self.host.pins(device["id"])

    def state(self) -> dict[str, Any]:
        """What `GET /_emulator/runtime` shows: totals and, per account, whether its code can run."""
        if self.host is None:
            return {"exec": False}
        running = [self.host.running(d["id"]) for d in self.models.store.values("device")]
        accounts = self.host.state()
        return {
            "exec": True,
            "broken": self.host.broken,
            "devices_running": sum(1 for r in running if r["device"]),
            "agents_running": sum(1 for r in running if r["agent"]),
            "code_lines": self.code_lines,
            "accounts": accounts,
        }

    async def compile_errors(self, account_id: str, device_code: str, agent_code: str) -> list[dict[str, Any]] | None:
        """CX005 items from Squirrel's compiler in the account's compile worker; None with execution off."""
        if not self._open:
            return None
        return await self.host.compile(account_id, device_code, agent_code)

    # -- events ----------------------------------------------------------------------------
    def device_assigned(self, device: Record, group: Record) -> None:
        """Assignment or blessing: the device (re)starts on the group's current deployment."""
        self._later(self._boot(device["id"]))

    def device_restarted(self, device: Record, group: Record) -> None:
        self._later(self._boot(device["id"]))

    def device_online(self, device: Record, online: bool) -> None:
        if online:
            self._later(self._boot(device["id"], agent_restart=False))
            return
        self.models.devices.log(device, "status", "Device disconnected")
        if self._open:
            self.host.disconnect(device["id"])

    def device_unassigned(self, device: Record, group: Record) -> None:
        if self._open:
            self.host.stop(device["id"])

    def current_deployment_changed(self, group: Record, deployment: Record | None) -> None:
        if deployment is None and self._open:
            for device in self.models.store.values("device"):
                if device.get("devicegroup_id") == group["id"]:
                    self.host.stop(device["id"])

    # -- behaviour -----------------------------------------------------------------------
    async def _boot(self, device_id: str, agent_restart: bool = True) -> None:
        await asyncio.sleep(self.config.simulated_delay / self.config.time_scale)
        store = self.models.store
        device = store.get("device", device_id)
        if device is None or device.get("devicegroup_id") is None:
            return
        group = store.get("devicegroup", device["devicegroup_id"])
        deployment = store.get("deployment", group.get("current_deployment_id") or "") if group else None
        device_code = deployment["device_code"] if deployment else ""
        new_code = deployment is not None and device.get("running_deployment_id") != deployment["id"]
        if device["online"]:
            self._log(device, "status", "Device connected")
            if new_code:
                used = storage_used_percent(device_code)
                self._log(device, "status", f"Downloading new code; {used}% program storage used")
        agent_restarts = agent_restart or new_code
        if agent_restarts:
            self._log(device, "status", "Agent restarted: reload.")
        if device["online"] and deployment is not None:
            self.models.devices.mark_running(device, deployment["id"])
        self.run_code(device, deployment, agent_restarts, new_code)
        self.models.commit()

    def run_code(self, device: Record, deployment: Record | None, agent_restarts: bool, new_code: bool) -> None:
        """After the status lines: run the group's code from scratch (or log its literal lines)."""
        if self.host is not None:
            if not self._open:
                return
            if deployment is None:
                self.host.stop(device["id"])
                return
            wake = WAKEREASON_NEW_SQUIRREL if new_code else WAKEREASON_SW_RESTART
            self._start(device, deployment, agent_restarts=agent_restarts, wake_reason=wake)
            return
        device_code = deployment["device_code"] if deployment else ""
        agent_code = deployment["agent_code"] if deployment else ""
        if agent_restarts:
            for line in log_literals(agent_code):
                self._log(device, "agent.log", line)
            for line in log_literals(agent_code, SERVER_ERROR):
                self._log(device, "agent.error", line)
        if device["online"]:
            for line in log_literals(device_code):
                self._log(device, "server.log", line)
            for line in log_literals(device_code, SERVER_ERROR):
                self._log(device, "server.error", line)
        self._later(self._run_tests(device["id"], device_code, agent_code, device["online"]))

    async def _run_tests(self, device_id: str, device_code: str, agent_code: str, online: bool) -> None:
        agent_lines = impunit.session_lines(agent_code)
        device_lines = impunit.session_lines(device_code) if online else []
        if not agent_lines and not device_lines:
            return
        await asyncio.sleep(self.config.simulated_delay / self.config.time_scale)
        device = self.models.store.get("device", device_id)
        if device is None:
            return
        for line in agent_lines:
            self._log(device, "agent.log", line)
        for line in device_lines:
            self._log(device, "server.log", line)
        self.models.commit()

    def _start(self, device: Record, deployment: Record, *, agent_restarts: bool, wake_reason: int) -> None:
        facts = runtime.DeviceFacts(
            device_id=device["id"],
            agent_id=device["agent_id"],
            mac=device.get("mac_address") or "",
            imp_type=device.get("imp_type") or "",
            software_version=device.get("swversion") or SOFTWARE_VERSION,
            agent_url_base=self.agent_url_base,
            wake_reason=wake_reason,
            account_id=device.get("owner_id") or "",
        )
        self.host.start(
            facts,
            deployment["device_code"] or "",
            deployment["agent_code"] or "",
            connected=bool(device["online"]),
            restart_agent=agent_restarts,
        )

    def _deployment_of(self, device: Record) -> Record | None:
        group = self.models.devices.group_of(device)
        if group is None:
            return None
        return self.models.store.get("deployment", group.get("current_deployment_id") or "")

    # -- RuntimeEvents: what the code did ------------------------------------------------------------
    def log(self, device_id: str, log_type: str, message: str) -> None:
        device = self.models.store.get("device", device_id)
        if device is not None:
            if log_type != "status":
                self.code_lines += 1
            self.models.devices.log(device, log_type, message)
            self._commit_soon()

    def save(self, agent_id: str, data: Any) -> None:
        self.models.agent_data.save(agent_id, data)
        self._commit_soon()

    def load(self, agent_id: str) -> Any:
        return self.models.agent_data.load(agent_id)

    def connection(self, device_id: str, connected: bool) -> None:
        self.log(device_id, "status", "Device connected" if connected else "Device disconnected")

    # -- helpers -------------------------------------------------------------------------
    def _log(self, device: Record, kind: str, msg: str) -> None:
        self.models.devices.log(device, kind, msg)

    def _commit_soon(self) -> None:
        """Lines come in batches from the workers: one commit per batch, after it."""
        if not self._commit_pending:
            self._commit_pending = True
            asyncio.get_running_loop().call_soon(self._commit)

    def _commit(self) -> None:
        self._commit_pending = False
        self.models.commit()

    def _later(self, coro: collections.abc.Coroutine[Any, Any, None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # seeding before the server runs: nothing to simulate
            coro.close()
            return
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


__all__ = ["SERVER_LOG", "DeviceSimulator"]
