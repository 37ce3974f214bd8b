"""Devices (spec §7, §9): HTTP ⇄ `models.devices`; list filters, historical logs, history."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from aiohttp import web

from .. import render
from ..access import visible
from ..errors import invalid
from ..jsonapi import (
    attributes_of,
    document,
    filters,
    no_content,
    only_writable,
    paged_list,
    read_data,
    streamed_list,
    text_attr,
)
from ..store import Record
from .common import api_base, caller, emulator_of, models_of

routes = web.RouteTableDef()
DEVICE_FILTERS = ("owner.id", "product.id", "devicegroup.id", "devicegroup.owner.id", "devicegroup.type")


def _device(request: web.Request) -> dict:
    return models_of(request).devices.get(caller(request), request.match_info["device"])


@routes.get("/v5/devices")
async def list_devices(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    wanted = filters(request, DEVICE_FILTERS)
    store = emu.store
    items = visible(store, "device", me)
    if "owner.id" in wanted:
        items = [d for d in items if d["owner_id"] == wanted["owner.id"]]
    if "product.id" in wanted:
        items = [d for d in items if d.get("product_id") == wanted["product.id"]]
    if "devicegroup.id" in wanted:
        items = [d for d in items if d.get("devicegroup_id") == wanted["devicegroup.id"]]
    if "devicegroup.owner.id" in wanted or "devicegroup.type" in wanted:
        groups = {d["id"]: store.get("devicegroup", d["devicegroup_id"] or "") for d in items}
        if "devicegroup.owner.id" in wanted:
            owner = wanted["devicegroup.owner.id"]
            if owner == "null":
                items = [d for d in items if groups[d["id"]] is None]
            else:
                items = [d for d in items if groups[d["id"]] and groups[d["id"]]["owner_id"] == owner]
        if "devicegroup.type" in wanted:
            items = [d for d in items if groups[d["id"]] and groups[d["id"]]["type"] == wanted["devicegroup.type"]]
    base = api_base(request)
    return paged_list(request, items, lambda d: render.device(base, store, d))


@routes.get("/v5/devices/{device}")
async def get_device_route(request: web.Request) -> web.Response:
    return document(render.device(api_base(request), emulator_of(request).store, _device(request)))


@routes.patch("/v5/devices/{device}")
async def update_device(request: web.Request) -> web.Response:
    models = models_of(request)
    device = _device(request)
    data = await read_data(request)
    if data.get("type", "device") != "device":
        raise invalid("'data.type' must be 'device'.", "VX002", "Invalid Type")
    attributes = attributes_of(data)
    only_writable(attributes, ("name",))
    if "name" in attributes:
        device = models.devices.rename(device, text_attr(attributes, "name", 80, nullable=True))
    return document(render.device(api_base(request), models.store, device))


@routes.delete("/v5/devices/{device}")
async def delete_device(request: web.Request) -> web.Response:
    models_of(request).devices.delete(_device(request))
    return no_content()


@routes.post("/v5/devices/{device}/restart")
async def restart_device(request: web.Request) -> web.Response:
    models_of(request).devices.restart(_device(request))
    return no_content()


@routes.post("/v5/devices/{device}/conditional_restart")
async def conditional_restart_device(request: web.Request) -> web.Response:
    models_of(request).devices.conditional_restart(_device(request))
    return no_content()


@routes.get("/v5/devices/{device}/logs")
async def device_logs(request: web.Request) -> web.StreamResponse:
    """Newest first; streamed, so that a page of long lines costs no page-sized buffer or stall."""
    emu = emulator_of(request)
    device = _device(request)
    filters(request, ())
    history = emu.store.device_logs(device["id"])
    newest_first = _Reversed(history)
    return await streamed_list(request, newest_first, lambda e: {"ts": e["ts"], "type": e["type"], "msg": e["msg"]})


class _Reversed(Sequence[Record]):
    """A newest-first view of a device's history: no copy of a thousand lines per request."""

    def __init__(self, items: deque[Record]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Record:  # type: ignore[override]
        return self.items[len(self.items) - 1 - index]


@routes.get("/v5/devices/{device}/history")
async def device_history(request: web.Request) -> web.Response:
    device = _device(request)
    entries = []
    if device.get("last_enrolled_at"):
        entries.append(
            {
                "timestamp": device["last_enrolled_at"],
                "event": "assigned",
                "owner_id": device["owner_id"],
                "actor_id": device["owner_id"],
            }
        )
    entries.append(
        {"timestamp": device["created_at"], "event": "enrolled", "owner_id": device["owner_id"], "actor_id": None}
    )
    return paged_list(request, entries)
