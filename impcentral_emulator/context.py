"""The emulator's parts, wired once per process and shared by every route."""

from __future__ import annotations

from aiohttp import web

from . import runtime
from .config import EmulatorConfig
from .device_runtime import DeviceRuntime
from .devicesim import DeviceSimulator
from .faults import FaultInjector
from .models import Models
from .ratelimit import RateLimiter
from .requestlog import RequestLog
from .seeds import load_seed
from .store import Store
from .webhook_delivery import WebhookDispatcher


class Emulator:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.store = Store(config.db_path, config.log_history_limit)
        self.webhooks = WebhookDispatcher()
        check = runtime.compile_errors if config.exec_code else None
        self.models = Models(self.store, config, self.webhooks, compile_check=check)
        self.logs = self.models.logs
        self.rate_limiter = RateLimiter(config.rate_limit)
        self.faults = FaultInjector()
        self.request_log = RequestLog()
        # Where agent URLs point (`http.agenturl()`); the server sets it once it knows its port.
        self.agent_url_base = f"http://{config.host}:{config.port}/agents"
        self.runtime: DeviceRuntime | None = None
        if config.exec_code:
            limits = runtime.Limits(cpu_seconds=config.cpu_seconds, restart_backoff=config.restart_backoff)
            self.runtime = self.simulator = DeviceRuntime(self, limits)
        else:
            self.simulator = DeviceSimulator(self)
        if self.store.is_empty():
            load_seed(self.models, config.seed)

    def reset(self) -> None:
        """Back to the seed: state, streams, simulations, counters, faults and the request log."""
        if self.runtime is not None:
            self.runtime.stop_all()
        self.simulator.cancel_all()
        self.models.clear()
        self.rate_limiter.reset()
        self.faults.clear()
        self.request_log.clear()
        self.webhooks.deliveries.clear()
        load_seed(self.models, self.config.seed)
        if self.runtime is not None:
            self.runtime.boot_placed()

    async def open(self) -> None:
        """On the server's event loop: start the runtime's workers (when code runs)."""
        if self.runtime is not None:
            await self.runtime.open()

    def listening(self, agent_url_base: str) -> None:
        """The server is up: agent URLs are known, and devices a seed placed in groups run their code."""
        self.agent_url_base = agent_url_base
        if self.runtime is not None:
            self.runtime.boot_placed()

    async def close(self) -> None:
        if self.runtime is not None:
            await self.runtime.close()
        self.simulator.cancel_all()
        await self.webhooks.close()
        self.store.close()


EMULATOR = web.AppKey("emulator", Emulator)


def emulator_of(request: web.Request) -> Emulator:
    return request.app[EMULATOR]
