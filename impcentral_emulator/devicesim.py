"""Simulated devices: no Squirrel runs, but devices log what a real one would (spec §9, §16.8).

On assignment, restart or new code a device logs `status` lines, then the literal
`agent.log`/`server.log` strings of the code it now runs, then (for impUnit test builds)
the impUnit protocol. Lines are emitted shortly after the triggering request has been
answered, like the real service; the store is committed after each batch.

The simulator is an observer of the models (`models/events.py`) and changes devices only
through them.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from . import impunit
from .models import Models, Observer
from .squirrel_text import SERVER_ERROR, SERVER_LOG, log_literals
from .store import Record

if TYPE_CHECKING:
    from .context import Emulator

PROGRAM_STORAGE_BYTES = 128 * 1024


def storage_used_percent(device_code: str) -> str:
    return f"{min(99.99, 1.5 + 100 * len(device_code.encode()) / PROGRAM_STORAGE_BYTES):.2f}"


class DeviceSimulator(Observer):
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.models: Models = emu.models
        self._tasks: set[asyncio.Task[None]] = set()
        self.models.events.subscribe(self)

    # -- events ----------------------------------------------------------------------------
    def device_assigned(self, device: Record, group: Record) -> None:
        """Assignment or blessing: the device (re)starts on the group's current deployment."""
        self._later(self._boot(device["id"]))

    def device_restarted(self, device: Record, group: Record) -> None:
        self._later(self._boot(device["id"]))

    def device_online(self, device: Record, online: bool) -> None:
        if online:
            self._later(self._boot(device["id"], agent_restart=False))
        else:
            self.models.devices.log(device, "status", "Device disconnected")

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()

    # -- behaviour -----------------------------------------------------------------------
    async def _boot(self, device_id: str, agent_restart: bool = True) -> None:
        await asyncio.sleep(self.emu.config.simulated_delay)
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
                self._log(
                    device, "status", f"Downloading new code; {storage_used_percent(device_code)}% program storage used"
                )
        agent_restarts = agent_restart or new_code
        if agent_restarts:
            self._log(device, "status", "Agent restarted: reload.")
        if device["online"] and deployment is not None:
            self.models.devices.mark_running(device, deployment["id"])
        self.run_code(device, deployment, agent_restarts, new_code)
        self.models.commit()

    def run_code(self, device: Record, deployment: Record | None, agent_restarts: bool, new_code: bool) -> None:
        """After the status lines: the code's own lines (here its literal `server.log` strings)."""
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
        await asyncio.sleep(self.emu.config.simulated_delay)
        device = self.models.store.get("device", device_id)
        if device is None:
            return
        for line in agent_lines:
            self._log(device, "agent.log", line)
        for line in device_lines:
            self._log(device, "server.log", line)
        self.models.commit()

    # -- helpers -------------------------------------------------------------------------
    def _log(self, device: Record, kind: str, msg: str) -> None:
        self.models.devices.log(device, kind, msg)

    def _later(self, coro: object) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # seeding before the server runs: nothing to simulate
            coro.close()  # type: ignore[attr-defined]
            return
        task = loop.create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


__all__ = ["DeviceSimulator", "SERVER_LOG"]
