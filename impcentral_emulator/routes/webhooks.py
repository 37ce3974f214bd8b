"""Webhooks (spec §10): URL checks, event/group-type rules; `event` is fixed for life."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from .. import errors, ids, records, render
from ..access import get_visible, visible
from ..assignment import PRODUCTION_TYPES
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
from .common import api_base, caller, emulator_of

routes = web.RouteTableDef()

EVENTS = ("blessing", "blinkup", "deployment")
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")


def _url(value: object) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or len(value) > 2048:
        raise invalid(errors.INVALID_URL, "VX012", "Invalid URL")
    return value


def _choice(value: object, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise invalid(f"The attribute '{name}' must be one of: {', '.join(allowed)}.")
    return value  # type: ignore[return-value]


def _webhook(request: web.Request) -> dict:
    ident = request.match_info["webhook_id"]
    return get_visible(emulator_of(request).store, "webhook", ident, caller(request), "webhook")


@routes.get("/v5/webhooks")
async def list_webhooks(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    wanted = filters(request, ("devicegroup.id",))
    items = visible(emu.store, "webhook", me)
    if "devicegroup.id" in wanted:
        items = [h for h in items if h["devicegroup_id"] == wanted["devicegroup.id"]]
    base = api_base(request)
    return paged_list(request, items, lambda h: render.webhook(base, emu.store, h))


@routes.post("/v5/webhooks")
async def create_webhook(request: web.Request) -> web.Response:
    emu, me = emulator_of(request), caller(request)
    data = await read_data(request)
    check_type(data, ("webhook",))
    attributes = attributes_of(data)
    only_writable(attributes, ("url", "event", "content_type"))
    url = _url(attributes.get("url"))
    event = _choice(attributes.get("event"), EVENTS, "event")
    content_type = _choice(attributes.get("content_type", "application/json"), CONTENT_TYPES, "content_type")
    group_id = relationship_id(data, "devicegroup", required=True)
    group = get_visible(emu.store, "devicegroup", group_id, me, "devicegroup")
    if event != "deployment" and group["type"] not in PRODUCTION_TYPES:
        raise invalid(f"'{event}' webhooks exist only on production and pre-production Device Groups.")
    hook = emu.store.put("webhook", records.webhook(group, me["id"], url, event, content_type))
    return document(render.webhook(api_base(request), emu.store, hook), 201)


@routes.get("/v5/webhooks/{webhook_id}")
async def get_webhook(request: web.Request) -> web.Response:
    return document(render.webhook(api_base(request), emulator_of(request).store, _webhook(request)))


@routes.patch("/v5/webhooks/{webhook_id}")
async def update_webhook(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    hook = _webhook(request)
    data = await read_data(request)
    if data.get("type", "webhook") != "webhook":
        raise invalid("'data.type' must be 'webhook'.", "VX002", "Invalid Type")
    attributes = attributes_of(data)
    if "event" in attributes and attributes["event"] != hook["event"]:
        raise invalid("The attribute 'event' cannot be changed.", "VX008", "Read-only Attribute")
    only_writable(attributes, ("url", "content_type", "event"))
    if "url" in attributes:
        hook["url"] = _url(attributes["url"])
    if "content_type" in attributes:
        hook["content_type"] = _choice(attributes["content_type"], CONTENT_TYPES, "content_type")
    hook["updated_at"] = ids.iso_timestamp()
    emu.store.put("webhook", hook)
    return document(render.webhook(api_base(request), emu.store, hook))


@routes.delete("/v5/webhooks/{webhook_id}")
async def delete_webhook(request: web.Request) -> web.Response:
    hook = _webhook(request)
    emulator_of(request).store.delete("webhook", hook["id"])
    return no_content()
