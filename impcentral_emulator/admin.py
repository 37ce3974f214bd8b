"""The emulator-only admin API under /_emulator (no auth, never rate-limited, faults or logged).

What a test or a demo needs that impCentral does from elsewhere: enrolling devices (the mobile
app), devices going on/offline and logging, factory blessing and BlinkUp, the request log,
fault injection and reset.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import ids, render
from .access import find_device
from .assignment import assign
from .context import emulator_of
from .errors import invalid, not_found
from .faults import parse_faults
from .jsonapi import api_base, json_response, no_content, read_json
from .records import IMP_TYPES
from .records import device as new_device
from .render import BLESSABLE_TYPES, FIXTURE_TYPES
from .store import Record

routes = web.RouteTableDef()
DEVICE_ATTRIBUTES = {
    "owner",
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


def _ok(body: Any, status: int = 200) -> web.Response:
    return json_response(body, status, "application/json")


def _device_doc(request: web.Request, device: Record) -> dict[str, Any]:
    emu = emulator_of(request)
    doc = render.device(api_base(request), emu.store, device)
    doc["meta"] = {"unbond_key": device.get("unbond_key"), "running_deployment_id": device.get("running_deployment_id")}
    return {"data": doc}


def _device(request: web.Request) -> Record:
    ident = request.match_info["device"]
    device = find_device(emulator_of(request).store, ident)
    if device is None:
        raise not_found("device", ident)
    return device


async def _object(request: web.Request, required: bool = True) -> dict[str, Any]:
    if not required and not (await request.read()).strip():
        return {}
    body = await read_json(request)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    return body


# -- devices --------------------------------------------------------------------------------
@routes.post("/_emulator/devices")
async def add_device(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    body = await _object(request)
    unknown = set(body) - DEVICE_ATTRIBUTES
    if unknown:
        raise invalid(f"Unknown device attribute '{sorted(unknown)[0]}'.")
    owner_ref = body.get("owner", "demo")
    owner = next((a for a in emu.store.values("account") if owner_ref in (a["id"], a["username"], a["email"])), None)
    if owner is None:
        raise not_found("account", str(owner_ref))
    for name in (
        "id",
        "name",
        "mac_address",
        "agent_id",
        "imp_type",
        "ip_address",
        "swversion",
        "plan_id",
        "unbond_key",
    ):
        if name in body and body[name] is not None and not isinstance(body[name], str):
            raise invalid(f"'{name}' must be a string.")
    if "online" in body and not isinstance(body["online"], bool):
        raise invalid("'online' must be a boolean.")
    if body.get("imp_type") and body["imp_type"] not in IMP_TYPES:
        raise invalid(f"'imp_type' must be one of: {', '.join(IMP_TYPES)}.")
    if body.get("id") and emu.store.get("device", body["id"]):
        raise invalid(f"A device with id '{body['id']}' already exists.")
    if body.get("mac_address") and find_device(emu.store, body["mac_address"]):
        raise invalid(f"A device with MAC address '{body['mac_address']}' already exists.")
    attrs = {k: v for k, v in body.items() if k != "owner"}
    device = emu.store.put("device", new_device(owner["id"], **attrs))
    return _ok(_device_doc(request, device), 201)


@routes.get("/_emulator/devices/{device}")
async def get_device(request: web.Request) -> web.Response:
    return _ok(_device_doc(request, _device(request)))


@routes.patch("/_emulator/devices/{device}")
async def update_device(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    device = _device(request)
    body = await _object(request)
    unknown = set(body) - {"online", "unbond_key", "name"}
    if unknown:
        raise invalid(f"Only 'online', 'unbond_key' and 'name' can be changed here, not '{sorted(unknown)[0]}'.")
    if "online" in body:
        if not isinstance(body["online"], bool):
            raise invalid("'online' must be a boolean.")
        emu.devices.set_online(device, body["online"])
    for name in ("unbond_key", "name"):
        if name in body:
            if body[name] is not None and not isinstance(body[name], str):
                raise invalid(f"'{name}' must be a string.")
            device[name] = body[name]
    emu.store.put("device", device)
    return _ok(_device_doc(request, device))


@routes.post("/_emulator/devices/{device}/logs")
async def device_logs(request: web.Request) -> web.Response:
    """One line `{"type","msg"}` or many `{"lines": [{"type","msg"} | "msg", ...]}`."""
    emu = emulator_of(request)
    device = _device(request)
    body = await _object(request)
    lines = body["lines"] if "lines" in body else [body]
    if not isinstance(lines, list):
        raise invalid("'lines' must be an array.")
    parsed = []
    for raw in lines:
        line = {"msg": raw} if isinstance(raw, str) else raw
        if not isinstance(line, dict) or not isinstance(line.get("msg"), str):
            raise invalid("Each log line needs a string 'msg'.")
        kind = line.get("type", "server.log")
        if kind not in LOG_TYPES:
            raise invalid(f"'type' must be one of: {', '.join(LOG_TYPES)}.")
        parsed.append((kind, line["msg"]))
    group = emu.store.get("devicegroup", device.get("devicegroup_id") or "")
    group_type = group["type"] if group else None
    for kind, msg in parsed:
        emu.logs.emit(device, kind, msg, group_type)
    return _ok({"logged": len(parsed)}, 201)


@routes.post("/_emulator/devices/{device}/bless")
async def bless(request: web.Request) -> web.Response:
    """A fixture blesses the DUT: it joins the fixture group's production target; `blessing` fires."""
    emu = emulator_of(request)
    device = _device(request)
    body = await _object(request)
    fixture = find_device(emu.store, str(body.get("fixture", "")))
    if fixture is None:
        raise not_found("fixture device", str(body.get("fixture")))
    fixture_group = emu.store.get("devicegroup", fixture.get("devicegroup_id") or "")
    if fixture_group is None or fixture_group["type"] not in FIXTURE_TYPES:
        raise invalid("The fixture device must be assigned to a factory or pre-factory Device Group.")
    target = emu.store.get("devicegroup", fixture_group.get("production_target_id") or "")
    if target is None or target["type"] not in BLESSABLE_TYPES:
        raise invalid("The fixture's Device Group has no production target.")
    assign(emu, device, target, simulate=bool(target.get("load_code_after_blessing", True)))
    emu.logs.emit(fixture, "server.log", f"Blessing device {device['id']}: success", fixture_group["type"])
    fired = emu.webhooks.fire(
        emu.store,
        target["id"],
        "blessing",
        {"device_id": device["id"], "imp_id": device["mac_address"].replace(":", "")},
    )
    result = _device_doc(request, device)
    result["data"]["meta"]["webhooks_fired"] = fired
    return _ok(result)


@routes.post("/_emulator/devices/{device}/blinkup")
async def blinkup(request: web.Request) -> web.Response:
    """An end user activates the device: it comes online; `blinkup` webhooks of its group fire."""
    emu = emulator_of(request)
    device = _device(request)
    await _object(request, required=False)
    emu.devices.set_online(device, True)
    device["last_enrolled_at"] = ids.iso_timestamp()
    emu.store.put("device", device)
    fired = 0
    if device.get("devicegroup_id"):
        payload = {"device_id": device["id"], "plan_id": device.get("plan_id") or "", "token": ids.secret_hex(16)}
        fired = emu.webhooks.fire(emu.store, device["devicegroup_id"], "blinkup", payload)
    result = _device_doc(request, device)
    result["data"]["meta"]["webhooks_fired"] = fired
    return _ok(result)


# -- observation and control ---------------------------------------------------------------
@routes.get("/_emulator/requests")
async def get_requests(request: web.Request) -> web.Response:
    return _ok({"data": list(emulator_of(request).request_log.entries)})


@routes.delete("/_emulator/requests")
async def clear_requests(request: web.Request) -> web.Response:
    emulator_of(request).request_log.clear()
    return no_content()


@routes.get("/_emulator/faults")
async def get_faults(request: web.Request) -> web.Response:
    return _ok({"data": emulator_of(request).faults.faults.as_json()})


@routes.put("/_emulator/faults")
async def put_faults(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    faults = parse_faults(await read_json(request))
    emu.faults.configure(faults)
    dropped = emu.logs.drop_connections() if faults.drop_streams else 0
    return _ok({"data": faults.as_json(), "meta": {"streams_dropped": dropped}})


@routes.delete("/_emulator/faults")
async def clear_faults(request: web.Request) -> web.Response:
    emulator_of(request).faults.clear()
    return no_content()


@routes.get("/_emulator/webhooks")
async def webhook_deliveries(request: web.Request) -> web.Response:
    return _ok({"data": list(emulator_of(request).webhooks.deliveries)})


@routes.post("/_emulator/reset")
async def reset(request: web.Request) -> web.Response:
    emulator_of(request).reset()
    return no_content()


@routes.get("/_emulator/state")
async def state(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    counts = {kind: len(table) for kind, table in emu.store.tables.items()}
    counts["logstreams"] = sum(1 for s in emu.logs.streams.values() if not s.closed)
    accounts = [{"id": a["id"], "username": a["username"], "email": a["email"]} for a in emu.store.values("account")]
    return _ok({"data": {"counts": counts, "accounts": accounts, "seed": emu.config.seed}})
