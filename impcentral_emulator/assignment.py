"""Which devices may enter or leave which Device Groups (spec §7.1), and what moving them does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ids
from .errors import ApiError, error_item
from .store import Record

if TYPE_CHECKING:
    from .context import Emulator

PRODUCTION_TYPES = {"production_devicegroup", "pre_production_devicegroup"}
FIXTURE_TYPES = {"factoryfixture_devicegroup", "pre_factoryfixture_devicegroup"}
DUT_TYPES = {"dut_devicegroup", "pre_dut_devicegroup"}
UNBOND_KEY_TYPES = {"production_devicegroup"}


def assignment_refusal(emu: Emulator, device: Record, group: Record) -> dict | None:
    """An error item when `device` may not be assigned to `group` by hand, else None."""
    current = emu.store.get("devicegroup", device.get("devicegroup_id") or "")
    if group["type"] in PRODUCTION_TYPES:
        if current is None or current["type"] != group["type"] or current["product_id"] != group["product_id"]:
            return _refused(
                device,
                "Devices enter a production Device Group only by blessing; they may then move between "
                "Device Groups of the same production type in the same product.",
            )
        return None
    if group["type"] in DUT_TYPES:
        return _refused(device, "Devices enter a DUT Device Group only through factory BlinkUp.")
    if current is not None and current["type"] in PRODUCTION_TYPES:
        return _refused(device, "A production device must be unassigned with its unbond key first.")
    if group["type"] in FIXTURE_TYPES and device["imp_type"] == "imp001":
        return _refused(device, "imp001 devices cannot be factory BlinkUp fixtures.")
    return None


def _refused(device: Record, detail: str) -> dict:
    return error_item(400, "CX007", "Assignment Not Allowed", f"Device '{device['id']}': {detail}")


def assign(emu: Emulator, device: Record, group: Record, simulate: bool = True) -> None:
    """Put the device in the group; it loads the group's current code (also when already there)."""
    now = ids.iso_timestamp()
    device["devicegroup_id"] = group["id"]
    device["product_id"] = group["product_id"]
    if not device.get("agent_id"):
        device["agent_id"] = ids.agent_id()
    if not device.get("agent_running"):
        device["agent_running"] = True
        device["agent_state_changed_at"] = now
    device["last_enrolled_at"] = device.get("last_enrolled_at") or now
    emu.store.put("device", device)
    if simulate:
        emu.devices.load_code(device)


def unassign(emu: Emulator, device: Record) -> None:
    device["devicegroup_id"] = None
    device["product_id"] = None
    device["running_deployment_id"] = None
    if device.get("agent_running"):
        device["agent_running"] = False
        device["agent_state_changed_at"] = ids.iso_timestamp()
    emu.store.put("device", device)


def raise_for_items(items: list[dict]) -> None:
    """Multi-device answer: 400 with one item per failed device (403 when all are key failures)."""
    if not items:
        return
    status = 403 if all(item["status"] == "403" for item in items) else 400
    first = items[0]
    raise ApiError(status, first["code"], first["title"], first["detail"], items=items)
