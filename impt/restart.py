"""Restarting a Device Group's devices, shared by `dg restart` and `build run` (same lines, same requests)."""

from __future__ import annotations

from impt.context import Context
from impt.display import device_blocks


def assigned_devices(ctx: Context, group: dict, label: str) -> list[dict]:
    """The group's devices; none is not an error: impt says so and the command ends successfully."""
    devices = ctx.client.devices.list(device_group=group["id"])
    if not devices:
        ctx.out.info(f"{label} does not have assigned Devices.")
    return devices


def restart_group(ctx: Context, group: dict, label: str, *, conditional: bool, log: bool = False) -> list[dict]:
    """Restart (or conditionally restart) the group's devices, list them, then optionally stream their logs."""
    devices = assigned_devices(ctx, group, label)
    if not devices:
        return devices
    ctx.client.device_groups.restart(group["id"], conditional=conditional)
    kind = "Conditional restart" if conditional else "Restart"
    ctx.out.info(f"{kind} request for Devices assigned to {label} is successful:")
    ctx.out.object_info(device_blocks(devices))  # info-level: json keeps one document
    if log:
        from impt.logstream import follow_logs

        follow_logs(ctx, [d["id"] for d in devices])
    return devices
