"""Log streams (spec §12): create, read over SSE without a token, subscribe devices."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from ..errors import invalid, not_found
from ..jsonapi import document, no_content
from ..models.logs import LogStream
from .common import api_base, caller, emulator_of, models_of

routes = web.RouteTableDef()
FORMATS = ("text", "json")


def _format(request: web.Request, default: str) -> str:
    fmt = request.query.get("format", default)
    if fmt not in FORMATS:
        raise invalid("The query parameter 'format' must be 'text' or 'json'.", "VX004")
    return fmt


def _own_stream(request: web.Request) -> LogStream:
    emu = emulator_of(request)
    ident = request.match_info["stream_id"]
    stream = emu.logs.streams.get(ident)
    if stream is None or stream.closed or stream.account_id != caller(request)["id"]:
        raise not_found("logstream", ident)
    return stream


@routes.post("/v5/logstream")
async def create_stream(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    stream = emu.logs.open_stream(caller(request)["id"], _format(request, "text"))
    url = f"{api_base(request)}/logstream/{stream.id}"
    return document({"type": "logstream", "id": stream.id, "attributes": {"url": url, "format": stream.format}}, 201)


@routes.put("/v5/logstream/{stream_id}/{device}")
async def subscribe(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    stream = _own_stream(request)
    device = models_of(request).devices.get(caller(request), request.match_info["device"])
    emu.logs.subscribe(stream, device["id"])
    return no_content()


@routes.delete("/v5/logstream/{stream_id}/{device}")
async def unsubscribe(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    stream = _own_stream(request)
    device = models_of(request).devices.get(caller(request), request.match_info["device"])
    if not emu.logs.unsubscribe(stream, device["id"]):
        raise not_found("subscription of device", device["id"])
    return no_content()


@routes.get("/v5/logstream/{stream_id}")
async def read_stream(request: web.Request) -> web.StreamResponse:
    """The SSE connection: `opened`, then queued events as they come, keep-alive comments between."""
    emu = emulator_of(request)
    ident = request.match_info["stream_id"]
    stream = emu.logs.streams.get(ident)
    if stream is None or (stream.closed and not stream.queue):
        raise not_found("logstream", ident)
    fmt = _format(request, stream.format)
    previous = stream.connection
    if previous is not None and previous.transport is not None:
        previous.transport.abort()
    stream.generation += 1
    generation = stream.generation
    stream.connection = request
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "Connection": "keep-alive",
            **request.get("ratelimit_headers", {}),
        }
    )
    keepalive = emu.config.keepalive_seconds
    try:
        await response.prepare(request)
        await response.write(format_event("state_change", {"state": "opened"}, fmt).encode())
        while stream.generation == generation:
            if not stream.queue:
                try:
                    await asyncio.wait_for(stream.wakeup.wait(), keepalive)
                except asyncio.TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
            if stream.generation != generation:
                break
            events = stream.take_all()
            if events:
                await response.write("".join(format_event(e, p, fmt) for e, p in events).encode())
            if stream.closed and any(e == "state_change" and p.get("state") == "closed" for e, p in events):
                break
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        if stream.connection is request:
            stream.connection = None
            if stream.closed:
                emu.logs.streams.pop(stream.id, None)
    return response


# -- SSE wire format ------------------------------------------------------------------------
def format_event(event: str, payload: Any, fmt: str) -> str:
    if event == "message":
        if fmt == "json":
            data = json.dumps(payload, separators=(",", ":"))
        else:
            p = payload
            data = f"{p['device_id']} {p['ts']} {p['log_type']} {p['type']} {p['msg']}"
    elif fmt == "json":
        data = json.dumps(payload, separators=(",", ":"))
    else:
        state = payload["state"]
        data = f"{payload['device_id']} {state}" if "device_id" in payload else state
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{lines}\n"
