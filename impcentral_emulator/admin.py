"""The emulator-only admin API under /_emulator (no auth, never rate-limited, faults or logged).

What a test or a demo needs that impCentral does from elsewhere: enrolling devices (the mobile
app), devices going on/offline and logging, factory blessing and BlinkUp, the request log,
fault injection and reset.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import render
from .context import emulator_of
from .errors import ApiError, invalid, not_found
from .faults import parse_faults
from .jsonapi import api_base, json_response, no_content, read_json
from .models import Models
from .models.devices import Devices
from .store import Record

routes = web.RouteTableDef()


def _ok(body: Any, status: int = 200) -> web.Response:
    return json_response(body, status, "application/json")


def _models(request: web.Request) -> Models:
    return emulator_of(request).models


def _device_doc(request: web.Request, device: Record) -> dict[str, Any]:
    doc = render.device(api_base(request), _models(request).devicegroups.find, device)
    doc["meta"] = {"unbond_key": device.get("unbond_key"), "running_deployment_id": device.get("running_deployment_id")}
    return {"data": doc}


def _device(request: web.Request) -> Record:
    return _models(request).devices.find(request.match_info["device"])


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
    models = _models(request)
    body = await _object(request)
    owner_ref = body.get("owner")
    if not isinstance(owner_ref, str) or not owner_ref:
        raise invalid("'owner' (the username, email or id of the device's account) is required.")
    owner = models.accounts.find(owner_ref)
    if owner is None:
        raise not_found("account", str(owner_ref))
    device = models.devices.create(owner, {k: v for k, v in body.items() if k != "owner"})
    return _ok(_device_doc(request, device), 201)


@routes.get("/_emulator/devices/{device}")
async def get_device(request: web.Request) -> web.Response:
    return _ok(_device_doc(request, _device(request)))


@routes.patch("/_emulator/devices/{device}")
async def update_device(request: web.Request) -> web.Response:
    devices = _models(request).devices
    device = _device(request)
    body = await _object(request)
    unknown = set(body) - {"online", "unbond_key", "name"}
    if unknown:
        raise invalid(f"Only 'online', 'unbond_key' and 'name' can be changed here, not '{sorted(unknown)[0]}'.")
    if "online" in body and not isinstance(body["online"], bool):
        raise invalid("'online' must be a boolean.")
    for name in ("unbond_key", "name"):
        if name in body and body[name] is not None and not isinstance(body[name], str):
            raise invalid(f"'{name}' must be a string.")
    if "online" in body:
        devices.set_online(device, body["online"])
    if "unbond_key" in body:
        devices.set_unbond_key(device, body["unbond_key"])
    if "name" in body:
        devices.rename(device, body["name"])
    return _ok(_device_doc(request, device))


@routes.post("/_emulator/devices/{device}/logs")
async def device_logs(request: web.Request) -> web.Response:
    """One line `{"type","msg"}` or many `{"lines": [{"type","msg"} | "msg", ...]}`."""
    devices = _models(request).devices
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
        parsed.append((line.get("type", "server.log"), line["msg"]))
    devices.log_lines(device, parsed)
    return _ok({"logged": len(parsed)}, 201)


@routes.put("/_emulator/devices/{device}/pins")
async def device_pins(request: web.Request) -> web.Response:
    """Drive the device's input pins: `{"pinA": 1, "pinB": 0.5, ...}` (digital 0/1, analog 0-65535);
    the code reads them with `pin.read()`, and a digital input's callback runs when its level changes."""
    device = _device(request)
    body = await _object(request)
    for name, value in body.items():
        if not name.startswith("pin") or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid(f"'{name}': pin names start with 'pin' and levels are numbers.")
    inputs = emulator_of(request).simulator.set_pins(device, body)
    if inputs is None:
        raise invalid("Pins are simulated only when the emulator runs code (--exec on).")
    return _ok({"data": {"device_id": device["id"], "inputs": inputs}})


@routes.post("/_emulator/devices/{device}/bless")
async def bless(request: web.Request) -> web.Response:
    """A fixture blesses the DUT: it joins the fixture group's production target; `blessing` fires."""
    devices = _models(request).devices
    device = _device(request)
    body = await _object(request)
    fired = devices.bless(device, _fixture(devices, body))
    result = _device_doc(request, device)
    result["data"]["meta"]["webhooks_fired"] = fired
    return _ok(result)


@routes.post("/_emulator/devices/{device}/blinkup")
async def blinkup(request: web.Request) -> web.Response:
    """An end user activates the device: it comes online; `blinkup` webhooks of its group fire.
    With `{"fixture": id}` it is a factory BlinkUp: the device enters the fixture group's DUT target."""
    devices = _models(request).devices
    device = _device(request)
    body = await _object(request, required=False)
    fixture = _fixture(devices, body) if "fixture" in body else None
    fired = devices.blinkup(device, fixture)
    result = _device_doc(request, device)
    result["data"]["meta"]["webhooks_fired"] = fired
    return _ok(result)


def _fixture(devices: Devices, body: dict[str, Any]) -> Record:
    ref = body.get("fixture")
    if not isinstance(ref, str) or not ref:
        raise invalid("'fixture' (the id of a device in a factory Device Group) is required.")
    try:
        return devices.find(ref)
    except ApiError:
        raise not_found("fixture device", ref) from None


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


@routes.get("/_emulator/runtime")
async def runtime_state(request: web.Request) -> web.Response:
    """Whether code runs, how many devices and agents run it, their lines so far, and per account whether
    its workers run (`broken`) and how often they crashed."""
    return _ok({"data": emulator_of(request).simulator.state()})


@routes.get("/_emulator/state")
async def state(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    counts = {kind: len(table) for kind, table in emu.store.tables.items()}
    counts["logstreams"] = sum(1 for s in emu.logs.streams.values() if not s.closed)
    accounts = [{"id": a["id"], "username": a["username"], "email": a["email"]} for a in emu.store.values("account")]
    return _ok({"data": {"counts": counts, "accounts": accounts, "seed": emu.config.seed}})
