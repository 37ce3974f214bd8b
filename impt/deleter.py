"""The delete family's plan: collect, show, confirm, then execute in impt's fixed order (impt-behaviour §7).

Order: unassign devices → unflag builds → delete Device Groups with targets, other Device Groups, Products,
Devices, Deployments, Login Keys, Webhooks → remove devices. A 404 on the way means "already deleted".
"""

from __future__ import annotations

from typing import Any, Callable

from impt.context import Context
from impt.display import LABELS, related_id, short
from impt.prompt import confirm

_ENTITY_ORDER = ("product", "device_group", "device", "deployment", "login_key", "account", "webhook")
_DELETE_ORDER = ("device_group", "product", "device", "deployment", "login_key", "account", "webhook")
_GONE_WITH_GROUP = ("deployment", "webhook")


def _is_not_found(exc: Exception) -> bool:
    from ansible_collections.electricimp.impcentral.plugins.module_utils.errors import NotFoundError

    return isinstance(exc, NotFoundError) or getattr(exc, "status", None) == 404


class DeletePlan:
    """What one delete command will change, with the names to print for each entity."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.entities: dict[str, dict[str, tuple[dict, str]]] = {k: {} for k in _ENTITY_ORDER}
        self.unassign: dict[str, dict] = {}
        self.unflag: dict[str, dict] = {}
        self.remove: dict[str, tuple[dict, str]] = {}

    def delete(self, kind: str, resource: dict, shown: str | None = None) -> None:
        self.entities[kind].setdefault(resource["id"], (resource, shown or resource["id"]))

    def unassign_device(self, device: dict) -> None:
        if related_id(device, "devicegroup"):
            self.unassign.setdefault(device["id"], device)

    def unflag_build(self, build: dict) -> None:
        if (build.get("attributes") or {}).get("flagged"):
            self.unflag.setdefault(build["id"], build)

    def remove_device(self, device: dict, shown: str) -> None:
        self.remove.setdefault(device["id"], (device, shown))

    def force_device_group(self, group: dict, devices: list[dict], builds: list[dict]) -> None:
        """`--force` for a group: unassign its devices and unflag its flagged builds."""
        for device in devices:
            self.unassign_device(device)
        for build in builds:
            self.unflag_build(build)

    # -- dialog -------------------------------------------------------------------------------

    def summary(self) -> list[Any]:
        blocks: list[Any] = []
        listed = [(k, r) for k in _ENTITY_ORDER for r, _ in self.entities[k].values()]
        if listed:
            blocks += ["The following entities will be deleted:", *[{LABELS[k]: short(k, r)} for k, r in listed], ""]
        if self.unassign:
            blocks += ["The following Devices will be unassigned from Device Groups:"]
            blocks += [{"Device": short("device", d)} for d in self.unassign.values()] + [""]
        if self.remove:
            blocks += ["The following Devices will be removed from the account:"]
            blocks += [{"Device": short("device", d)} for d, _ in self.remove.values()] + [""]
        if self.unflag:
            blocks += [
                'The following Deployments are marked "flagged" to prevent deleting. '
                'They will be modified by setting "flagged" attribute to false:'
            ]
            blocks += [{"Deployment": short("deployment", b)} for b in self.unflag.values()] + [""]
        return blocks

    def confirm(self, confirmed: bool) -> None:
        confirm(self.ctx.out, self.ctx.terminal, confirmed, self.summary())

    # -- execution ----------------------------------------------------------------------------

    def execute(self) -> None:
        client = self.ctx.client
        self._unassign_all()
        for build in self.unflag.values():
            self._step(
                lambda b=build: client.deployments.update(b["id"], flagged=False),
                f'Deployment "{build["id"]}" is updated successfully.',
                f'Deployment "{build["id"]}" is already deleted.',
            )
        deleted_groups: set[str] = set()
        for kind in _DELETE_ORDER:
            items = list(self.entities[kind].values())
            if kind == "device_group":
                items.sort(key=lambda item: not _has_target(item[0]))
            for resource, shown in items:
                if kind in _GONE_WITH_GROUP and related_id(resource, "devicegroup") in deleted_groups:
                    # impCentral deletes a group's deployments and webhooks with the group: no request is
                    # needed, and the line scripts look for (impt 2.6's) is printed all the same.
                    self.ctx.out.info(f'{LABELS[kind]} "{shown}" is deleted successfully.')
                    continue
                self._step(
                    _deleter(client, kind, resource),
                    f'{LABELS[kind]} "{shown}" is deleted successfully.',
                    f'{LABELS[kind]} "{shown}" is already deleted.',
                )
                if kind == "device_group":
                    deleted_groups.add(resource["id"])
        for device, shown in self.remove.values():
            self._step(
                lambda d=device: client.devices.delete(d["id"]),
                f'Device "{shown}" is removed successfully.',
                f'Device "{shown}" is already deleted.',
            )

    def _unassign_all(self) -> None:
        by_group: dict[str, list[dict]] = {}
        for device in self.unassign.values():
            by_group.setdefault(related_id(device, "devicegroup") or "", []).append(device)
        for group_id, devices in by_group.items():
            ids = [d["id"] for d in devices]
            try:
                self.ctx.client.device_groups.remove_devices(group_id, ids)
            except Exception as exc:
                if not _is_not_found(exc):
                    raise
                for device_id in ids:
                    self.ctx.out.info(f'Device "{device_id}" is already unassigned.')
                continue
            for device_id in ids:
                self.ctx.out.info(f'Device "{device_id}" is unassigned successfully.')

    def _step(self, action: Callable[[], Any], done: str, gone: str) -> None:
        """Run one write; a 404 means it is deleted already, which is what the user wanted."""
        try:
            action()
        except Exception as exc:
            if not _is_not_found(exc):
                raise
            self.ctx.out.info(gone)
            return
        self.ctx.out.info(done)


def _has_target(group: dict) -> bool:
    return bool(related_id(group, "production_target") or related_id(group, "dut_target"))


def _deleter(client: Any, kind: str, resource: dict) -> Callable[[], Any]:
    api = {
        "device_group": client.device_groups,
        "product": client.products,
        "device": client.devices,
        "deployment": client.deployments,
        "webhook": client.webhooks,
    }[kind]
    return lambda: api.delete(resource["id"])
