"""The emulator's parts, wired once per process and shared by every route."""

from __future__ import annotations

from aiohttp import web

from .config import EmulatorConfig
from .devicesim import DeviceSimulator
from .faults import FaultInjector
from .logs import LogHub
from .ratelimit import RateLimiter
from .requestlog import RequestLog
from .seeds import load_seed
from .store import Store
from .webhook_delivery import WebhookDispatcher


class Emulator:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.store = Store(config.db_path, config.log_history_limit)
        self.logs = LogHub(self.store, config.stream_device_limit)
        self.rate_limiter = RateLimiter(config.rate_limit)
        self.faults = FaultInjector()
        self.request_log = RequestLog()
        self.webhooks = WebhookDispatcher()
        self.devices = DeviceSimulator(self)
        self.mfa_challenges: dict[str, tuple[str, float]] = {}  # login_token -> (account id, expiry)
        if self.store.is_empty():
            load_seed(self, config.seed)

    def reset(self) -> None:
        """Back to the seed: state, streams, simulations, counters, faults and the request log."""
        self.devices.cancel_all()
        self.logs.close_all()
        self.store.clear()
        self.mfa_challenges.clear()
        self.rate_limiter.reset()
        self.faults.clear()
        self.request_log.clear()
        self.webhooks.deliveries.clear()
        load_seed(self, self.config.seed)

    async def close(self) -> None:
        self.devices.cancel_all()
        await self.webhooks.close()
        self.store.close()


EMULATOR = web.AppKey("emulator", Emulator)


def emulator_of(request: web.Request) -> Emulator:
    return request.app[EMULATOR]
