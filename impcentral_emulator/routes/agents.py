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
    answer = await emu.runtime.http_request(
        request.match_info["agent"],
        request.method,
        "/" + path if path else "",
        dict(request.query),
        dict(request.headers),
        await request.read(),
    )
    headers = dict(answer.headers)
    response = web.Response(status=answer.status, body=answer.body)
    for name, value in headers.items():
        response.headers[name] = value
    return response


routes.route("*", "/agents/{agent}")(_forward)
routes.route("*", "/agents/{agent}/{path:.*}")(_forward)
