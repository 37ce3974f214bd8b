"""The emulator's parts, wired once per process and shared by every route."""

from __future__ import annotations

from aiohttp import web

from .config import EmulatorConfig
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
        self.models = Models(self.store, config, self.webhooks)
        self.logs = self.models.logs
        self.rate_limiter = RateLimiter(config.rate_limit)
        self.faults = FaultInjector()
        self.request_log = RequestLog()
        self.simulator = DeviceSimulator(self)
        if self.store.is_empty():
            load_seed(self.models, config.seed)

    def reset(self) -> None:
        """Back to the seed: state, streams, simulations, counters, faults and the request log."""
        self.simulator.cancel_all()
        self.models.clear()
        self.rate_limiter.reset()
        self.faults.clear()
        self.request_log.clear()
        self.webhooks.deliveries.clear()
        load_seed(self.models, self.config.seed)

    async def close(self) -> None:
        self.simulator.cancel_all()
        await self.webhooks.close()
        self.store.close()


EMULATOR = web.AppKey("emulator", Emulator)


def emulator_of(request: web.Request) -> Emulator:
    return request.app[EMULATOR]
