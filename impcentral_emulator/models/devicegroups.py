"""Device Groups (spec §6): the seven types, fixture targets, production rights, deletion rules,
restarts and the min-supported deployment."""

from __future__ import annotations

import json
import random
import re
from typing import TYPE_CHECKING, Any

from .. import errors, ids
from ..access import get_visible, matching, visible
from ..errors import constraint, duplicate, invalid, permission
from ..store import Record
from . import records
from .grouptypes import GROUP_TYPES, group_type

if TYPE_CHECKING:
    from . import Models

ENV_KEY = re.compile(r"^[a-zA-Z][_a-zA-Z0-9]{0,99}$")
ENV_VARS_MAX_BYTES = 16 * 1024
TARGETS = ("production_target", "dut_target")


class DeviceGroups:
    def __init__(self, models: Models) -> None:
        self.models = models
        self.store = models.store

    def get(self, caller: Record, ident: str) -> Record:
        return get_visible(self.store, "devicegroup", ident, caller, "devicegroup")

    def find(self, group_id: str | None) -> Record | None:
        """Any group by id, whoever owns it: what a relationship of a visible resource points at."""
        return self.store.get("devicegroup", group_id) if group_id else None

    def list(self, caller: Record, wanted: dict[str, str]) -> list[Record]:
        """``GET /devicegroups``: what the caller sees, by owner, product and type."""
        fields = {"owner.id": "owner_id", "product.id": "product_id", "type": "type"}
        return matching(visible(self.store, "devicegroup", caller), wanted, fields)

    def create(  # noqa: PLR0913, PLR0917 (the group's fields plus seed ids)
        self,
        caller: Record,
        product: Record,
        kind: str,
        name: str,
        attributes: dict[str, Any],
        targets: dict[str, str | None],
        *,
        ident: str | None = None,
        rng: random.Random | None = None,
    ) -> Record:
        """`attributes`: description, region, load_code_after_blessing, env_vars (as given);
        `targets`: production_target/dut_target group ids (factory types only, both required)."""
        if kind not in GROUP_TYPES:
            raise invalid(f"'data.type' must be one of: {', '.join(GROUP_TYPES)}.", "VX002", "Invalid Type")
        self._production_only(kind, attributes)
        owner = self.store.get("account", product["owner_id"])
        if group_type(kind).needs_production_rights and not (owner and owner.get("production")):
            raise permission(f"The account has no production rights, so it cannot create a {kind}.")
        extra = dict(attributes)
        if "env_vars" in extra:
            extra["env_vars"] = check_env_vars(extra["env_vars"])
        extra.update(self._targets(caller, kind, product["id"], targets, creating=True))
        self._check_unique(product["id"], name)
        if ident and self.store.get("devicegroup", ident):
            raise duplicate(f"A Device Group with id '{ident}' already exists.")
        group = records.devicegroup(product, caller["id"], kind, name, rng, ident=ident, **extra)
        return self.store.put("devicegroup", group)

    def update(
        self, caller: Record, group: Record, attributes: dict[str, Any], targets: dict[str, str | None]
    ) -> Record:
        if "region" in attributes and attributes["region"] != group.get("region"):
            raise invalid("The attribute 'region' can be set only when the Device Group is created.", "VX008")
        self._production_only(group["type"], {k: v for k, v in attributes.items() if k != "region"})
        found = self._targets(caller, group["type"], group["product_id"], targets, creating=False)
        if "name" in attributes:
            self._check_unique(group["product_id"], attributes["name"], group["id"])
            group["name"] = attributes["name"]
        if "description" in attributes:
            group["description"] = attributes["description"]
        if "load_code_after_blessing" in attributes:
            group["load_code_after_blessing"] = attributes["load_code_after_blessing"]
        if "env_vars" in attributes:
            group["env_vars"] = check_env_vars(attributes["env_vars"])
        group.update(found)
        group["updated_at"] = ids.iso_timestamp()
        return self.store.put("devicegroup", group)

    def delete(self, group: Record) -> None:
        store = self.store
        if any(d.get("devicegroup_id") == group["id"] for d in store.values("device")):
            raise constraint("CX010", "Devices Assigned", "Cannot delete a devicegroup with assigned devices.")
        deployments = [d for d in store.values("deployment") if d.get("devicegroup_id") == group["id"]]
        if any(d["flagged"] for d in deployments):
            raise constraint("CX003", "Flagged Deployments Exist", errors.FLAGGED_DEPLOYMENTS_EXIST)
        for other in store.values("devicegroup"):
            if group["id"] in (other.get("production_target_id"), other.get("dut_target_id")):
                raise constraint(
                    "CX008",
                    "Devicegroup Is A Target",
                    "Cannot delete a devicegroup that is the target of another devicegroup.",
                )
        for dep in deployments:
            store.delete("deployment", dep["id"])
        self.models.webhooks.delete_of_group(group)
        store.delete("devicegroup", group["id"])

    # -- deployments of the group ---------------------------------------------------------
    def set_current(self, group: Record, deployment: Record) -> None:
        group["current_deployment_id"] = deployment["id"]
        group["updated_at"] = deployment["created_at"]
        self.store.put("devicegroup", group)
        self.models.events.emit("current_deployment_changed", group, deployment)

    def set_min_supported(self, caller: Record, group: Record, deployment_id: str) -> None:
        dep = get_visible(self.store, "deployment", deployment_id, caller, "deployment")
        if dep.get("devicegroup_id") != group["id"]:
            raise constraint("CX011", "Invalid Deployment", "The deployment does not belong to this devicegroup.")
        current = group.get("min_supported_deployment_id")
        position = self.store.position
        if current and position("deployment", deployment_id) < position("deployment", current):
            raise constraint(
                "CX011", "Invalid Deployment", "The min_supported_deployment cannot be older than the current one."
            )
        group["min_supported_deployment_id"] = deployment_id
        group["updated_at"] = ids.iso_timestamp()
        self.store.put("devicegroup", group)

    # -- restarts --------------------------------------------------------------------------
    def devices_in(self, group: Record) -> list[Record]:
        return [d for d in self.store.values("device") if d.get("devicegroup_id") == group["id"]]

    def restart(self, group: Record) -> None:
        for device in self.devices_in(group):
            self.models.devices.restart(device)

    def conditional_restart(self, group: Record) -> None:
        """Older than min-supported: restart. Otherwise "new code available": a device whose code
        registers no `server.onshutdown` handler restarts by default, like a real imp."""
        store = self.store
        minimum = store.position("deployment", group.get("min_supported_deployment_id"))
        for device in self.devices_in(group):
            running = device.get("running_deployment_id")
            if running == group.get("current_deployment_id"):
                continue
            if store.position("deployment", running) < minimum:
                self.models.devices.restart(device)
                continue
            running_code = (store.get("deployment", running or "") or {}).get("device_code", "")
            if "server.onshutdown" not in running_code:
                self.models.devices.restart(device)

    # -- rules -------------------------------------------------------------------------------
    @staticmethod
    def _production_only(kind: str, attributes: dict[str, Any]) -> None:
        if group_type(kind).blessed_into:
            return
        for name in ("region", "load_code_after_blessing"):
            if name in attributes:
                raise invalid(f"The attribute '{name}' is allowed only on production and pre-production Device Groups.")

    def _targets(
        self, caller: Record, kind: str, product_id: str, given: dict[str, str | None], creating: bool
    ) -> dict[str, str]:
        wanted = group_type(kind).fixture_targets
        if wanted is None:
            if any(given.values()):
                raise invalid("production_target and dut_target are allowed only on factory Device Groups.")
            return {}
        if creating and not all(given.get(name) for name in TARGETS):
            raise invalid("Factory Device Groups need both a production_target and a dut_target.", "VX001")
        found: dict[str, str] = {}
        for name, expected in zip(TARGETS, wanted, strict=True):
            ident = given.get(name)
            if ident is None:
                continue
            target = get_visible(self.store, "devicegroup", ident, caller, "devicegroup")
            if target["type"] != expected:
                raise invalid(f"The {name} of a {kind} must be a {expected}.")
            if target["product_id"] != product_id:
                raise invalid(f"The {name} must belong to the same product.")
            found[f"{name}_id"] = ident
        return found

    def _check_unique(self, product_id: str, name: str, except_id: str | None = None) -> None:
        for group in self.store.values("devicegroup"):
            if group["product_id"] == product_id and group["name"] == name and group["id"] != except_id:
                raise duplicate(errors.DUPLICATE_DEVICEGROUP)


def check_env_vars(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid("The attribute 'env_vars' must be an object.", "VX002", "Invalid Type")
    for key, item in value.items():
        if not ENV_KEY.match(key):
            raise invalid(f"The env_vars key '{key}' is invalid: a letter, then up to 99 letters, digits or '_'.")
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise invalid(f"The env_vars value of '{key}' must be a string or a number.", "VX002", "Invalid Type")
    if len(json.dumps(value)) > ENV_VARS_MAX_BYTES:
        raise invalid("env_vars must be smaller than 16 KB in total.")
    return value
