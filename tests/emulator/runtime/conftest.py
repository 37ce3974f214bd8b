"""Fixtures for the Squirrel runtime: an event recorder, a hand-driven clock and a host on a fresh loop."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

import pytest

from impcentral_emulator.runtime import DeviceFacts, Limits, ManualClock, RuntimeHost


class Recorder:
    """The emulator's side of `RuntimeEvents`: keeps every line, save and connection change."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str]] = []
        self.saved: dict[str, Any] = {}
        self.connections: list[tuple[str, bool]] = []

    def log(self, device_id: str, log_type: str, message: str) -> None:
        self.lines.append((device_id, log_type, message))

    def save(self, agent_id: str, data: Any) -> None:
        self.saved[agent_id] = data

    def load(self, agent_id: str) -> Any:
        return self.saved.get(agent_id, {})

    def connection(self, device_id: str, connected: bool) -> None:
        self.connections.append((device_id, connected))

    def messages(self, log_type: str | None = None, device_id: str = "dev1") -> list[str]:
        return [m for d, t, m in self.lines if d == device_id and (log_type is None or t == log_type)]


def facts(n: int = 1) -> DeviceFacts:
    return DeviceFacts(
        device_id=f"dev{n}",
        agent_id=f"agent{n}",
        mac=f"0c2a690000{n:02x}",
        imp_type="imp005",
        software_version="43.1.0",
        agent_url_base="http://127.0.0.1:9999/agents",
    )


class Harness:
    def __init__(self, host: RuntimeHost, clock: ManualClock, events: Recorder) -> None:
        self.host = host
        self.clock = clock
        self.events = events

    @staticmethod
    def facts(n: int = 1) -> DeviceFacts:
        return facts(n)

    async def start(self, device_code: str, agent_code: str = "", n: int = 1, **kwargs: Any) -> None:
        self.host.start(facts(n), device_code, agent_code, **kwargs)
        await self.host.idle()

    async def advance(self, seconds: float) -> None:
        """Move the clock in small steps so that work each timer queues runs before the next."""
        step = 0.25
        while seconds > 1e-9:
            self.clock.advance(min(step, seconds))
            seconds -= step
            await self.host.idle()


@pytest.fixture
def run() -> Callable[..., Any]:
    """Run `scenario(harness)` on a fresh event loop with a fresh host; the host is closed after."""

    def runner(
        scenario: Callable[[Harness], Awaitable[Any]], limits: Limits | None = None, outbound: Any = None
    ) -> Any:
        async def main() -> Any:
            clock = ManualClock()
            events = Recorder()
            host = RuntimeHost(events, clock, limits or Limits(cpu_seconds=0.5, restart_backoff=2.0), outbound)
            await host.open()
            try:
                return await scenario(Harness(host, clock, events))
            finally:
                await host.close()

        return asyncio.run(main())

    return runner
