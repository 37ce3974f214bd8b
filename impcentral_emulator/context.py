"""The emulator's parts, wired once per process and shared by every route."""

from __future__ import annotations

from aiohttp import web

from . import runtime
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
        check = runtime.compile_errors if config.exec_code else None
        self.models = Models(self.store, config, self.webhooks, compile_check=check)
        self.logs = self.models.logs
        self.rate_limiter = RateLimiter(config.rate_limit)
        self.faults = FaultInjector()
        self.request_log = RequestLog()
        limits = runtime_limits(config) if config.exec_code else None
        clock = runtime.LoopClock(config.time_scale)
        self.simulator = DeviceSimulator(self.models, config, limits, clock)
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
        self.simulator.boot_placed()

    @property
    def runtime(self) -> runtime.RuntimeHost | None:
        """The runtime that runs devices' code; None with execution off."""
        return self.simulator.host

    async def open(self) -> None:
        """On the server's event loop: bind the runtime (when code runs)."""
        await self.simulator.open()

    def listening(self, agent_url_base: str) -> None:
        """The server is up: agent URLs are known, and devices a seed or the database placed run their code."""
        self.simulator.agent_url_base = agent_url_base
        self.simulator.boot_placed()

    async def compile_errors(self, account_id: str, device_code: str, agent_code: str) -> list[dict] | None:
        """CX005 items of a deployment, compiled in the account's worker; None: the models' own check."""
        return await self.simulator.compile_errors(account_id, device_code, agent_code)

    async def close(self) -> None:
        await self.simulator.close()
        await self.webhooks.close()
        self.store.close()


def runtime_limits(config: EmulatorConfig) -> runtime.Limits:
    """The runtime's limits: the defaults of `runtime.Limits`, with what the command line sets.

    The time scale reaches the watchdog here (CPU time, which no clock drives); the restart back-off is a
    timer of the scaled clock already."""
    return runtime.Limits(
        cpu_seconds=config.cpu_seconds, restart_backoff=config.restart_backoff, time_scale=config.time_scale
    )


EMULATOR = web.AppKey("emulator", Emulator)


def emulator_of(request: web.Request) -> Emulator:
    return request.app[EMULATOR]
