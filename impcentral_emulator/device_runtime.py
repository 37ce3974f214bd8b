"""Devices and agents that run their Squirrel (issue 13): the models' events drive `runtime.RuntimeHost`.

The simulator's status lines stay (`Device connected`, `Downloading new code; ...`, `Agent
restarted: reload.`); after them the device's and agent's code really runs in the runtime's worker
processes, and whatever it logs comes back through `RuntimeEvents` into the device's history and
streams. This observer is used instead of the literal-line simulator unless execution is off.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from . import runtime
from .devicesim import DeviceSimulator
from .store import Record

if TYPE_CHECKING:
    from .context import Emulator

SOFTWARE_VERSION = "c9d0b5a - release-44.11 - Wed Oct 7 12:00:00 2026"
WAKEREASON_POWER_ON = 0
WAKEREASON_NEW_SQUIRREL = 4
WAKEREASON_SW_RESTART = 10


class DeviceRuntime(DeviceSimulator):
    """The simulator's lifecycle with real execution in place of literal lines."""

    def __init__(self, emu: Emulator, limits: runtime.Limits | None = None) -> None:
        super().__init__(emu)
        self.host = runtime.RuntimeHost(self, limits=limits or runtime.Limits())
        self._commit_pending = False
        self._open = False

    # -- lifecycle --------------------------------------------------------------------------
    async def open(self) -> None:
        """Start the workers (on the server's event loop)."""
        await self.host.open()
        self._open = True

    async def close(self) -> None:
        self.cancel_all()
        if self._open:
            self._open = False
            await self.host.close()

    def stop_all(self) -> None:
        """Reset: cancel pending boots and stop every runtime (the seed is loaded again next)."""
        self.cancel_all()
        if self._open:
            self.host.stop_all()

    def boot_placed(self) -> None:
        """Devices a seed put in a group already run their code (no status lines: that boot is history)."""
        if not self._open:
            return
        for device in list(self.models.store.values("device")):
            deployment = self._deployment_of(device)
            if deployment is not None and device["online"]:
                self._start(device, deployment, agent_restarts=True, wake_reason=WAKEREASON_POWER_ON)

    # -- events -----------------------------------------------------------------------------------
    def device_online(self, device: Record, online: bool) -> None:
        if online:
            super().device_online(device, online)
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

    # -- the simulator's hook ------------------------------------------------------------------------
    def run_code(self, device: Record, deployment: Record | None, agent_restarts: bool, new_code: bool) -> None:
        """After the status lines of a boot: run the group's code from scratch."""
        if not self._open:
            return
        if deployment is None:
            self.host.stop(device["id"])
            return
        wake = WAKEREASON_NEW_SQUIRREL if new_code else WAKEREASON_SW_RESTART
        self._start(device, deployment, agent_restarts=agent_restarts, wake_reason=wake)

    def _start(self, device: Record, deployment: Record, *, agent_restarts: bool, wake_reason: int) -> None:
        facts = runtime.DeviceFacts(
            device_id=device["id"],
            agent_id=device["agent_id"],
            mac=device.get("mac_address") or "",
            imp_type=device.get("imp_type") or "",
            software_version=device.get("swversion") or SOFTWARE_VERSION,
            agent_url_base=self.emu.agent_url_base,
            wake_reason=wake_reason,
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
            self.models.devices.log(device, log_type, message)
            self._commit_soon()

    def save(self, agent_id: str, data: Any) -> None:
        self.models.agent_data.save(agent_id, data)
        self._commit_soon()

    def load(self, agent_id: str) -> Any:
        return self.models.agent_data.load(agent_id)

    def connection(self, device_id: str, connected: bool) -> None:
        self.log(device_id, "status", "Device connected" if connected else "Device disconnected")

    def _commit_soon(self) -> None:
        """Lines come in batches from the workers: one commit per batch, after it."""
        if not self._commit_pending:
            self._commit_pending = True
            asyncio.get_running_loop().call_soon(self._commit)

    def _commit(self) -> None:
        self._commit_pending = False
        self.models.commit()
