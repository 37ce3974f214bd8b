"""Devices (spec §7, §9): enrolment, who may enter or leave which group (spec §7.1), restarts,
blessing and BlinkUp, going on/offline, logging.

Every change of a device goes through here and is announced to the observers (`events.py`):
the simulator or the device runtime reacts to `device_assigned`, `device_restarted`, ...
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import ids
from ..access import find_device, get_device, matching, visible
from ..errors import ApiError, constraint, error_item, invalid, not_found
from ..store import Record
from . import records
from .grouptypes import of

if TYPE_CHECKING:
    from . import Models

DEVICE_ATTRIBUTES = {
    "id",
    "name",
    "mac_address",
    "agent_id",
    "imp_type",
    "online",
    "ip_address",
    "free_memory",
    "rssi",
    "swversion",
    "plan_id",
    "unbond_key",
}
_TEXT_ATTRIBUTES = ("id", "name", "mac_address", "agent_id", "imp_type", "ip_address", "swversion", "plan_id")
LOG_TYPES = (
    "server.log",
    "server.error",
    "agent.log",
    "agent.error",
    "status",
    "powerstate",
    "lastexitcode",
    "firmware",
)


class Devices:
    def __init__(self, models: Models) -> None:
        self.models = models
        self.store = models.store

    def get(self, caller: Record, ident: str) -> Record:
        """A device the caller sees, by id, MAC address or agent id."""
        return get_device(self.store, ident, caller)

    def list(self, caller: Record, wanted: dict[str, str]) -> list[Record]:
        """``GET /devices``: what the caller sees, by owner, product, group, the group's owner (``null``:
        unassigned devices) and the group's type."""
        fields = {"owner.id": "owner_id", "product.id": "product_id", "devicegroup.id": "devicegroup_id"}
        items = matching(visible(self.store, "device", caller), wanted, fields)
        if "devicegroup.owner.id" in wanted:
            owner = wanted["devicegroup.owner.id"]
            if owner == "null":
                items = [d for d in items if self.group_of(d) is None]
            else:
                items = [d for d in items if (self.group_of(d) or {}).get("owner_id") == owner]
        if "devicegroup.type" in wanted:
            items = [d for d in items if (self.group_of(d) or {}).get("type") == wanted["devicegroup.type"]]
        return items

    def logs(self, device: Record) -> Sequence[dict[str, Any]]:
        """The device's historical log entries, newest first, as ``GET /devices/{id}/logs`` lists them: a
        view of the history (no copy of a thousand lines per request; a page takes only its entries)."""
        return _NewestFirst(self.store.device_logs(device["id"]))

    def history(self, device: Record) -> list[dict[str, Any]]:
        """``GET /devices/{id}/history``: its assignment (when enrolled into a group) and its enrolment."""
        entries = []
        if device.get("last_enrolled_at"):
            owner = device["owner_id"]
            entries.append(
                {"timestamp": device["last_enrolled_at"], "event": "assigned", "owner_id": owner, "actor_id": owner}
            )
        entries.append(
            {"timestamp": device["created_at"], "event": "enrolled", "owner_id": device["owner_id"], "actor_id": None}
        )
        return entries

    def find(self, ident: str) -> Record:
        """Any device by id, MAC address or agent id (admin API)."""
        device = find_device(self.store, ident)
        if device is None:
            raise not_found("device", ident)
        return device

    # -- enrolment and attributes ---------------------------------------------------------
    def create(self, owner: Record, attrs: dict[str, Any], rng: random.Random | None = None) -> Record:
        """A new unassigned device of `owner` (the admin API and seeds)."""
        unknown = set(attrs) - DEVICE_ATTRIBUTES
        if unknown:
            raise invalid(f"Unknown device attribute '{sorted(unknown)[0]}'.")
        for name in (*_TEXT_ATTRIBUTES, "unbond_key"):
            if name in attrs and attrs[name] is not None and not isinstance(attrs[name], str):
                raise invalid(f"'{name}' must be a string.")
        if "online" in attrs and not isinstance(attrs["online"], bool):
            raise invalid("'online' must be a boolean.")
        if attrs.get("imp_type") and attrs["imp_type"] not in records.IMP_TYPES:
            raise invalid(f"'imp_type' must be one of: {', '.join(records.IMP_TYPES)}.")
        if attrs.get("id") and self.store.get("device", attrs["id"]):
            raise invalid(f"A device with id '{attrs['id']}' already exists.")
        if attrs.get("mac_address") and find_device(self.store, attrs["mac_address"]):
            raise invalid(f"A device with MAC address '{attrs['mac_address']}' already exists.")
        return self.store.put("device", records.device(owner["id"], rng, **attrs))

    def rename(self, device: Record, name: str | None) -> Record:
        device["name"] = name
        return self.store.put("device", device)

    def set_unbond_key(self, device: Record, key: str | None) -> Record:
        device["unbond_key"] = key
        return self.store.put("device", device)

    def set_online(self, device: Record, online: bool) -> None:
        if device["online"] == online:
            return
        device["online"] = online
        device["device_state_changed_at"] = ids.iso_timestamp()
        self.store.put("device", device)
        self.models.events.emit("device_online", device, online)

    def mark_running(self, device: Record, deployment_id: str | None) -> None:
        """The device now runs this deployment (said by the simulator or the runtime)."""
        if device.get("running_deployment_id") != deployment_id:
            device["running_deployment_id"] = deployment_id
            self.store.put("device", device)

    def delete(self, device: Record) -> None:
        group = self.group_of(device)
        if group and of(group).blessed_into:
            raise constraint("CX012", "Production Device", "Production devices cannot be removed from the account.")
        if group:
            self._unassign(device, group)
        self.models.logs.forget_device(device["id"])
        if device.get("agent_id"):
            self.models.agent_data.forget(device["agent_id"])
        self.store.delete("device", device["id"])

    def group_of(self, device: Record) -> Record | None:
        return self.store.get("devicegroup", device.get("devicegroup_id") or "")

    # -- groups ------------------------------------------------------------------------------
    def assign_many(self, caller: Record, group: Record, idents: list[str]) -> None:
        """Assignment by hand (spec §7.1); one error item per refused device, the others move."""
        failures = []
        for ident in idents:
            device = find_device(self.store, ident, caller)
            if device is None:
                failures.append(_missing(f"The requested device '{ident}' was not found."))
                continue
            refusal = self._refusal(device, group)
            if refusal:
                failures.append(refusal)
                continue
            self._assign(device, group)
        raise_for_items(failures)

    def unassign_many(self, caller: Record, group: Record, idents: list[str], unbond_key: str | None) -> None:
        failures = []
        for ident in idents:
            device = find_device(self.store, ident, caller)
            if device is None or device.get("devicegroup_id") != group["id"]:
                failures.append(_missing(f"The device '{ident}' is not assigned to this devicegroup."))
                continue
            if of(group).unbond_key and unbond_key != device.get("unbond_key"):
                failures.append(
                    error_item(
                        403,
                        "PX003",
                        "Invalid Unbond Key",
                        f"Device '{device['id']}': removing a production device needs its unbond key "
                        "in X-Electricimp-Key.",
                    )
                )
                continue
            self._unassign(device, group)
        raise_for_items(failures)

    def place(self, device: Record, group: Record) -> None:
        """A seed's device already in a group, running its current code (no events, no logs)."""
        if device["owner_id"] != group["owner_id"]:
            raise invalid(f"Device '{device['id']}' and Device Group '{group['name']}' have different owners.")
        self._move_in(device, group)
        device["running_deployment_id"] = group.get("current_deployment_id")
        self.store.put("device", device)

    def restart(self, device: Record) -> None:
        group = self.group_of(device)
        if group is None:
            raise constraint("CX013", "Device Not Assigned", "An unassigned device cannot be restarted.")
        self.models.events.emit("device_restarted", device, group)

    def conditional_restart(self, device: Record) -> None:
        group = self.group_of(device)
        if group is None:
            raise constraint("CX013", "Device Not Assigned", "An unassigned device cannot be restarted.")
        if device.get("running_deployment_id") != group.get("current_deployment_id"):
            self.models.events.emit("device_restarted", device, group)

    # -- the factory and the end user --------------------------------------------------------
    def bless(self, device: Record, fixture: Record) -> int:
        """A fixture blesses the DUT: it joins the fixture group's production target; `blessing`
        webhooks fire (how many is returned)."""
        fixture_group = self._fixture_group(fixture)
        target = self.store.get("devicegroup", fixture_group.get("production_target_id") or "")
        if target is None or not of(target).blessed_into:
            raise invalid("The fixture's Device Group has no production target.")
        current = self.group_of(device)
        if current is None or not of(current).dut or current["product_id"] != fixture_group["product_id"]:
            raise invalid(
                f"Device '{device['id']}' is not in a DUT Device Group of the fixture's product: only a device "
                "under test can be blessed (factory BlinkUp it first: POST /_emulator/devices/<id>/blinkup "
                '{"fixture": "<fixture id>"}).'
            )
        self._move_in(device, target)
        if target.get("load_code_after_blessing", True):
            self.models.events.emit("device_assigned", device, target)
        self.log(fixture, "server.log", f"Blessing device {device['id']}: success")
        payload = {"device_id": device["id"], "imp_id": device["mac_address"].replace(":", "")}
        return self.models.webhooks.fire(target["id"], "blessing", payload)

    def blinkup(self, device: Record, fixture: Record | None = None) -> int:
        """An end user activates the device: it comes online; `blinkup` webhooks fire (how many).
        With a `fixture` it is a factory BlinkUp: the device enters the fixture group's DUT target."""
        if fixture is not None:
            target = self.store.get("devicegroup", self._fixture_group(fixture).get("dut_target_id") or "")
            if target is None or not of(target).dut:
                raise invalid("The fixture's Device Group has no DUT target.")
            current = of(self.group_of(device))
            if current is not None and current.blessed_into:
                raise invalid(f"Device '{device['id']}' is a production device; it cannot be a device under test.")
            self._assign(device, target)
        self.set_online(device, True)
        device["last_enrolled_at"] = ids.iso_timestamp()
        self.store.put("device", device)
        if not device.get("devicegroup_id"):
            return 0
        payload = {"device_id": device["id"], "plan_id": device.get("plan_id") or "", "token": ids.secret_hex(16)}
        return self.models.webhooks.fire(device["devicegroup_id"], "blinkup", payload)

    def _fixture_group(self, fixture: Record) -> Record:
        group = self.group_of(fixture)
        if group is None or not of(group).is_fixture:
            raise invalid("The fixture device must be assigned to a factory or pre-factory Device Group.")
        return group

    # -- logging -------------------------------------------------------------------------------
    def log(self, device: Record, kind: str, msg: str) -> Record:
        """The device logs one line (history, streams, observers)."""
        return self.log_lines(device, [(kind, msg)])[-1]

    def log_lines(self, device: Record, lines: list[tuple[str, str]]) -> list[Record]:
        """The device logs `(type, msg)` lines in order; all are checked before the first is logged."""
        for kind, _ in lines:
            if kind not in LOG_TYPES:
                raise invalid(f"'type' must be one of: {', '.join(LOG_TYPES)}.")
        group = self.group_of(device)
        group_type = group["type"] if group else None
        emit = self.models.logs.emit
        return [emit(device, kind, msg, group_type) for kind, msg in lines]

    # -- internals -------------------------------------------------------------------------------
    def _refusal(self, device: Record, group: Record) -> dict | None:
        """An error item when `device` may not be assigned to `group` by hand, else None."""
        current = self.group_of(device)
        kind, current_kind = of(group), of(current)
        if kind.blessed_into:
            if current is None or current["type"] != group["type"] or current["product_id"] != group["product_id"]:
                return _refused(
                    device,
                    "Devices enter a production Device Group only by blessing; they may then move between "
                    "Device Groups of the same production type in the same product.",
                )
            return None
        if kind.dut:
            return _refused(device, "Devices enter a DUT Device Group only through factory BlinkUp.")
        if current_kind is not None and current_kind.blessed_into:
            return _refused(device, "A production device must be unassigned with its unbond key first.")
        if kind.is_fixture and device["imp_type"] == "imp001":
            return _refused(device, "imp001 devices cannot be factory BlinkUp fixtures.")
        return None

    def _assign(self, device: Record, group: Record) -> None:
        """Put the device in the group; it loads the group's current code (also when already there)."""
        previous = self.group_of(device)
        if previous is not None and previous["id"] != group["id"]:
            self.models.events.emit("device_unassigned", device, previous)
        self._move_in(device, group)
        self.models.events.emit("device_assigned", device, group)

    def _move_in(self, device: Record, group: Record) -> None:
        now = ids.iso_timestamp()
        device["devicegroup_id"] = group["id"]
        device["product_id"] = group["product_id"]
        if not device.get("agent_id"):
            device["agent_id"] = ids.agent_id()
        if not device.get("agent_running"):
            device["agent_running"] = True
            device["agent_state_changed_at"] = now
        device["last_enrolled_at"] = device.get("last_enrolled_at") or now
        self.store.put("device", device)

    def _unassign(self, device: Record, group: Record) -> None:
        device["devicegroup_id"] = None
        device["product_id"] = None
        device["running_deployment_id"] = None
        if device.get("agent_running"):
            device["agent_running"] = False
            device["agent_state_changed_at"] = ids.iso_timestamp()
        self.store.put("device", device)
        self.models.events.emit("device_unassigned", device, group)


def _missing(detail: str) -> dict:
    return error_item(404, "NF001", "Resource Not Found", detail)


def _refused(device: Record, detail: str) -> dict:
    return error_item(400, "CX007", "Assignment Not Allowed", f"Device '{device['id']}': {detail}")


def raise_for_items(items: list[dict]) -> None:
    """Multi-device answer: 400 with one item per failed device (403 when all are key failures)."""
    if not items:
        return
    status = 403 if all(item["status"] == "403" for item in items) else 400
    first = items[0]
    raise ApiError(status, first["code"], first["title"], first["detail"], items=items)


class _NewestFirst(Sequence[dict[str, Any]]):
    """A device's history, newest first, each entry as the logs endpoint shows it."""

    def __init__(self, history: deque[Record]) -> None:
        self.history = history

    def __len__(self) -> int:
        return len(self.history)

    def __getitem__(self, index: int) -> dict[str, Any]:  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        entry = self.history[len(self.history) - 1 - (index % len(self))]
        return {"ts": entry["ts"], "type": entry["type"], "msg": entry["msg"]}
