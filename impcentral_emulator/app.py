"""The aiohttp application: routes of every module behind the one middleware."""

from __future__ import annotations

from aiohttp import web

from . import admin
from .config import EmulatorConfig
from .context import EMULATOR, Emulator
from .middleware import api_middleware
from .routes import accounts, agents, auth, deployments, devicegroups, devices, logstreams, products, webhooks

MAX_BODY_BYTES = 12 * 1024 * 1024  # two 4 MiB code fields plus JSON escaping


def create_app(config: EmulatorConfig) -> web.Application:
    app = web.Application(middlewares=[api_middleware], client_max_size=MAX_BODY_BYTES)
    emulator = Emulator(config)
    app[EMULATOR] = emulator
    for module in (auth, accounts, products, devicegroups, devices, deployments, webhooks, logstreams):
        app.router.add_routes(module.routes)
    app.router.add_routes(admin.routes)
    app.router.add_routes(agents.routes)

    async def close_streams(_app: web.Application) -> None:
        emulator.logs.close_all()

    async def open_runtime(_app: web.Application) -> None:
        await emulator.open()

    async def close(_app: web.Application) -> None:
        await emulator.close()

    app.on_startup.append(open_runtime)
    app.on_shutdown.append(close_streams)
    app.on_cleanup.append(close)
    return app
