"""Devices (spec §7, §9): HTTP ⇄ `models.devices`; list filters, historical logs, history."""

from __future__ import annotations

from aiohttp import web

from .. import render
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
from .common import api_base, caller, models_of

routes = web.RouteTableDef()
DEVICE_FILTERS = ("owner.id", "product.id", "devicegroup.id", "devicegroup.owner.id", "devicegroup.type")


def _device(request: web.Request) -> dict:
    return models_of(request).devices.get(caller(request), request.match_info["device"])


@routes.get("/v5/devices")
async def list_devices(request: web.Request) -> web.Response:
    models = models_of(request)
    items = models.devices.list(caller(request), filters(request, DEVICE_FILTERS))
    base, groups = api_base(request), models.devicegroups.find
    return paged_list(request, items, lambda d: render.device(base, groups, d))


@routes.get("/v5/devices/{device}")
async def get_device_route(request: web.Request) -> web.Response:
    return document(render.device(api_base(request), models_of(request).devicegroups.find, _device(request)))


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
    return document(render.device(api_base(request), models.devicegroups.find, device))


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
    device = _device(request)
    filters(request, ())
    return await streamed_list(request, models_of(request).devices.logs(device))


@routes.get("/v5/devices/{device}/history")
async def device_history(request: web.Request) -> web.Response:
    return paged_list(request, models_of(request).devices.history(_device(request)))
