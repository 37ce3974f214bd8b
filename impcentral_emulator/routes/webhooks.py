"""Webhooks (spec §10): HTTP ⇄ `models.webhooks`."""

from __future__ import annotations

from aiohttp import web

from .. import render
from ..errors import invalid
from ..jsonapi import (
    attributes_of,
    check_type,
    document,
    filters,
    no_content,
    only_writable,
    paged_list,
    read_data,
    relationship_id,
)
from .common import api_base, caller, models_of

routes = web.RouteTableDef()


def _webhook(request: web.Request) -> dict:
    return models_of(request).webhooks.get(caller(request), request.match_info["webhook_id"])


@routes.get("/v5/webhooks")
async def list_webhooks(request: web.Request) -> web.Response:
    models = models_of(request)
    items = models.webhooks.list(caller(request), filters(request, ("devicegroup.id",)))
    base, groups = api_base(request), models.devicegroups.find
    return paged_list(request, items, lambda h: render.webhook(base, groups, h))


@routes.post("/v5/webhooks")
async def create_webhook(request: web.Request) -> web.Response:
    models, me = models_of(request), caller(request)
    data = await read_data(request)
    check_type(data, ("webhook",))
    attributes = attributes_of(data)
    only_writable(attributes, ("url", "event", "content_type"))
    url, event, content_type = models.webhooks.check_fields(
        attributes.get("url"), attributes.get("event"), attributes.get("content_type", "application/json")
    )
    group_id = relationship_id(data, "devicegroup", required=True) or ""
    hook = models.webhooks.create(me, models.devicegroups.get(me, group_id), url, event, content_type)
    return document(render.webhook(api_base(request), models.devicegroups.find, hook), 201)


@routes.get("/v5/webhooks/{webhook_id}")
async def get_webhook(request: web.Request) -> web.Response:
    return document(render.webhook(api_base(request), models_of(request).devicegroups.find, _webhook(request)))


@routes.patch("/v5/webhooks/{webhook_id}")
async def update_webhook(request: web.Request) -> web.Response:
    models = models_of(request)
    hook = _webhook(request)
    data = await read_data(request)
    if data.get("type", "webhook") != "webhook":
        raise invalid("'data.type' must be 'webhook'.", "VX002", "Invalid Type")
    attributes = attributes_of(data)
    if "event" in attributes and attributes["event"] != hook["event"]:
        raise invalid("The attribute 'event' cannot be changed.", "VX008", "Read-only Attribute")
    only_writable(attributes, ("url", "content_type", "event"))
    hook = models.webhooks.update(hook, **attributes)
    return document(render.webhook(api_base(request), models.devicegroups.find, hook))


@routes.delete("/v5/webhooks/{webhook_id}")
async def delete_webhook(request: web.Request) -> web.Response:
    models_of(request).webhooks.delete(_webhook(request))
    return no_content()
