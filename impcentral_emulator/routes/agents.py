"""Agent URLs: `ANY /agents/<agent_id>/<path>` reaches the agent's `http.onrequest` handler.

No auth, as real agent URLs are public. With execution off no agent runs: 404.
"""

from __future__ import annotations

from aiohttp import web

from ..context import emulator_of

routes = web.RouteTableDef()


async def _forward(request: web.Request) -> web.Response:
    emu = emulator_of(request)
    if emu.runtime is None:
        return web.Response(status=404, text="Agent not found: code does not run here (--exec off)")
    path = request.match_info.get("path", "")
    body = await _body(request, emu.runtime.limits.http_body_bytes)
    if body is None:
        limit = emu.runtime.limits.http_body_bytes
        return web.Response(status=413, text=f"The request body is larger than an agent accepts ({limit} bytes)")
    answer = await emu.runtime.http_request(
        request.match_info["agent"],
        request.method,
        "/" + path if path else "",
        dict(request.query),
        dict(request.headers),
        body,
    )
    headers = dict(answer.headers)
    response = web.Response(status=answer.status, body=answer.body)
    for name, value in headers.items():
        response.headers[name] = value
    return response


async def _body(request: web.Request, limit: int) -> bytes | None:
    """The request body, or None once it is larger than `limit` (read no further: no time or memory spent)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks, size = [], 0
    while True:
        chunk = await request.content.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


routes.route("*", "/agents/{agent}")(_forward)
routes.route("*", "/agents/{agent}/{path:.*}")(_forward)
