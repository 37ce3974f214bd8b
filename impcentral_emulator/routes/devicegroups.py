"""Device Groups (spec §6): seven types, fixture targets, restarts, min-supported, devices."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from .. import errors, ids, records, render
from ..access import find_device, get_visible, visible
from ..assignment import (
    PRODUCTION_TYPES,
    UNBOND_KEY_TYPES,
    assign,
    assignment_refusal,
    raise_for_items,
    unassign,
)
from ..errors import constraint, duplicate, error_item, invalid, not_found, permission
from ..jsonapi import (
    attributes_of,
    bool_attr,
    check_type,
    document,
    filters,
    no_content,
    only_writable,
    paged_list,
    read_data,
    relationship_id,
    text_attr,
)
from ..render import FIXTURE_TYPES
from ..store import Record
from .common import api_base, caller, emulator_of

routes = web.RouteTableDef()

ENV_KEY = re.compile(r"^[a-zA-Z][_a-zA-Z0-9]{0,99}$")
ENV_VARS_MAX_BYTES = 16 * 1024
TARGET_TYPES = {
    "factoryfixture_devicegroup": ("production_devicegroup", "dut_devicegroup"),
    "pre_factoryfixture_devicegroup": ("pre_production_devicegroup", "pre_dut_devicegroup"),
}
CREATE_ATTRIBUTES = ("name", "description", "region", "load_code_after_blessing", "env_vars")


def _group(request: web.Request) -> Record:
    ident = request.match_info["group_id"]
    return get_visible(emulator_of(request).store, "devicegroup", ident, caller(request), "devicegroup")


def _env_vars(value: Any) -> dict[str, Any]:
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


def _production_only(group_type: str, attributes: dict[str, Any]) -> None:
    if group_type in PRODUCTION_TYPES:
        return
    for name in ("region", "load_code_after_blessing"):
        if name in attributes:
            raise invalid(f"The attribute '{name}' is allowed only on production and pre-production Device Groups.")


def _targets(request: web.Request, data: dict, group_type: str, product_id: str, creating: bool) -> dict[str, str]:
    emu, me = emulator_of(request), caller(request)
    given = {name: relationship_id(data, name) for name in ("production_target", "dut_target")}
    if group_type not in FIXTURE_TYPES:
        if any(given.values()):
            raise invalid("production_target and dut_target are allowed only on factory Device Groups.")
        return {}
    if creating and not all(given.values()):
        raise invalid("Factory Device Groups need both a production_target and a dut_target.", "VX001")
    found: dict[str, str] = {}
    for (name, ident), expected in zip(given.items(), TARGET_TYPES[group_type], strict=True):
        if ident is None:
            continue
        target = get_visible(emu.store, "devicegroup", ident, me, "devicegroup")
        if target["type"] != expected:
            raise invalid(f"The {name} of a {group_type} must be a {expected}.")
        if target["product_id"] != product_id:
            raise invalid(f"The {name} must belong to the same product.")
        found[f"{name}_id"] = ident
    return found


def _check_unique(emu, product_id: str, name: str, except_id: str | None = None) -> None:
    for group in emu.store.values("devicegroup"):
        if group["product_id"] == product_id and group["name"] == name and group["id"] != except_id:
            raise duplicate(errors.DUPLICATE_DEVICEGROUP)


@routes.get("/v5/devicegroups")
async def list_groups(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    wanted = filters(request, ("owner.id", "product.id", "type"))
    items = visible(emu.store, "devicegroup", me)
    for name, field in (("owner.id", "owner_id"), ("product.id", "product_id"), ("type", "type")):
        if name in wanted:
            items = [g for g in items if g[field] == wanted[name]]
    base = api_base(request)
    return paged_list(request, items, lambda g: render.devicegroup(base, emu.store, g))


@routes.post("/v5/devicegroups")
async def create_group(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    data = await read_data(request)
    group_type = check_type(data, records.GROUP_TYPES)
    attributes = attributes_of(data)
    only_writable(attributes, CREATE_ATTRIBUTES)
    name = text_attr(attributes, "name", 80, 1)
    description = text_attr(attributes, "description", 255, nullable=True)
    _production_only(group_type, attributes)
    extra: dict[str, Any] = {"description": description}
    if "region" in attributes:
        extra["region"] = text_attr(attributes, "region", 100, nullable=True)
    if "load_code_after_blessing" in attributes:
        extra["load_code_after_blessing"] = bool_attr(attributes, "load_code_after_blessing")
    if "env_vars" in attributes:
        extra["env_vars"] = _env_vars(attributes["env_vars"])
    product_id = relationship_id(data, "product", required=True)
    prod = get_visible(emu.store, "product", product_id, me, "product")
    owner = emu.store.get("account", prod["owner_id"])
    if group_type != records.DEVELOPMENT_TYPE and not (owner and owner.get("production")):
        raise permission(f"The account has no production rights, so it cannot create a {group_type}.")
    extra.update(_targets(request, data, group_type, prod["id"], creating=True))
    _check_unique(emu, prod["id"], name)
    group = emu.store.put("devicegroup", records.devicegroup(prod, me["id"], group_type, name, **extra))
    return document(render.devicegroup(api_base(request), emu.store, group), 201)


@routes.get("/v5/devicegroups/{group_id}")
async def get_group(request: web.Request) -> web.Response:
    return document(render.devicegroup(api_base(request), emulator_of(request).store, _group(request)))


@routes.patch("/v5/devicegroups/{group_id}")
async def update_group(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    group = _group(request)
    data = await read_data(request)
    if data.get("type", group["type"]) != group["type"]:
        raise invalid("A Device Group's type cannot be changed; send its current type.", "VX002", "Invalid Type")
    if data.get("id", group["id"]) != group["id"]:
        raise invalid("'data.id' does not match the Device Group in the path.")
    attributes = attributes_of(data)
    only_writable(attributes, CREATE_ATTRIBUTES)
    if "region" in attributes and attributes["region"] != group.get("region"):
        raise invalid("The attribute 'region' can be set only when the Device Group is created.", "VX008")
    _production_only(group["type"], {k: v for k, v in attributes.items() if k != "region"})
    targets = _targets(request, data, group["type"], group["product_id"], creating=False)
    if "name" in attributes:
        name = text_attr(attributes, "name", 80, 1)
        _check_unique(emu, group["product_id"], name, group["id"])
        group["name"] = name
    if "description" in attributes:
        group["description"] = text_attr(attributes, "description", 255, nullable=True)
    if "load_code_after_blessing" in attributes:
        group["load_code_after_blessing"] = bool_attr(attributes, "load_code_after_blessing")
    if "env_vars" in attributes:
        group["env_vars"] = _env_vars(attributes["env_vars"])
    group.update(targets)
    group["updated_at"] = ids.iso_timestamp()
    emu.store.put("devicegroup", group)
    return document(render.devicegroup(api_base(request), emu.store, group))


@routes.delete("/v5/devicegroups/{group_id}")
async def delete_group(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    group = _group(request)
    store = emu.store
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
    for hook in [h for h in store.values("webhook") if h["devicegroup_id"] == group["id"]]:
        store.delete("webhook", hook["id"])
    store.delete("devicegroup", group["id"])
    return no_content()


# -- restarts and min-supported -------------------------------------------------------------
def _devices_in(emu, group: Record) -> list[Record]:
    return [d for d in emu.store.values("device") if d.get("devicegroup_id") == group["id"]]


@routes.post("/v5/devicegroups/{group_id}/restart")
async def restart_group(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    for device in _devices_in(emu, _group(request)):
        emu.devices.load_code(device)
    return no_content()


@routes.post("/v5/devicegroups/{group_id}/conditional_restart")
async def conditional_restart_group(request: web.Request) -> web.Response:
    """Older than min-supported: restart. Otherwise "new code available": a device whose code
    registers no `server.onshutdown` handler restarts by default, like a real imp."""
    emu = emulator_of(request)
    group = _group(request)
    store = emu.store
    minimum = store.position("deployment", group.get("min_supported_deployment_id"))
    for device in _devices_in(emu, group):
        running = device.get("running_deployment_id")
        if running == group.get("current_deployment_id"):
            continue
        if store.position("deployment", running) < minimum:
            emu.devices.load_code(device)
            continue
        running_code = (store.get("deployment", running or "") or {}).get("device_code", "")
        if "server.onshutdown" not in running_code:
            emu.devices.load_code(device)
    return no_content()


@routes.put("/v5/devicegroups/{group_id}/relationships/min_supported_deployment")
async def set_min_supported(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    group = _group(request)
    data = await read_data(request)
    ident = data.get("id")
    if not isinstance(ident, str) or not ident:
        raise invalid("'data.id' must be the id of a deployment.", "VX002", "Invalid Type")
    dep = get_visible(emu.store, "deployment", ident, caller(request), "deployment")
    if dep.get("devicegroup_id") != group["id"]:
        raise constraint("CX011", "Invalid Deployment", "The deployment does not belong to this devicegroup.")
    current = group.get("min_supported_deployment_id")
    if current and emu.store.position("deployment", ident) < emu.store.position("deployment", current):
        raise constraint(
            "CX011", "Invalid Deployment", "The min_supported_deployment cannot be older than the current one."
        )
    group["min_supported_deployment_id"] = ident
    group["updated_at"] = ids.iso_timestamp()
    emu.store.put("devicegroup", group)
    return no_content()


# -- devices --------------------------------------------------------------------------------
async def _listed_devices(request: web.Request) -> list[str]:
    items = await read_data(request, expect_list=True)
    idents = []
    for item in items:
        if not isinstance(item.get("id"), str) or not item["id"]:
            raise invalid("Every item of 'data' needs a string 'id'.", "VX002", "Invalid Type")
        idents.append(item["id"])
    return idents


def _missing(ident: str, detail: str) -> dict:
    return error_item(404, "NF001", "Resource Not Found", detail.format(ident=ident))


@routes.post("/v5/devicegroups/{group_id}/relationships/devices")
async def assign_devices(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    group = _group(request)
    failures = []
    for ident in await _listed_devices(request):
        device = find_device(emu.store, ident, me)
        if device is None:
            failures.append(_missing(ident, "The requested device '{ident}' was not found."))
            continue
        refusal = assignment_refusal(emu, device, group)
        if refusal:
            failures.append(refusal)
            continue
        assign(emu, device, group)
    raise_for_items(failures)
    return no_content()


@routes.delete("/v5/devicegroups/{group_id}/relationships/devices")
async def unassign_devices(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    group = _group(request)
    unbond_key = request.headers.get("X-Electricimp-Key")
    failures = []
    for ident in await _listed_devices(request):
        device = find_device(emu.store, ident, me)
        if device is None or device.get("devicegroup_id") != group["id"]:
            failures.append(_missing(ident, "The device '{ident}' is not assigned to this devicegroup."))
            continue
        if group["type"] in UNBOND_KEY_TYPES and unbond_key != device.get("unbond_key"):
            failures.append(
                error_item(
                    403,
                    "PX003",
                    "Invalid Unbond Key",
                    f"Device '{device['id']}': removing a production device needs its unbond key in X-Electricimp-Key.",
                )
            )
            continue
        unassign(emu, device)
    raise_for_items(failures)
    return no_content()


__all__ = ["routes", "not_found"]
