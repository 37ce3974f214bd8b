"""What the host keeps: the facts a device's code can read, the answers of agents, the events the emulator
hears, and the host's records of VMs, devices and accounts."""

from __future__ import annotations

import collections
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from .clock import Cancellable
from .limits import TokenBucket
from .pool import WorkerProcess


@dataclass(frozen=True)
class DeviceFacts:
    """What a device's code can learn about itself (imp API getters), and whose device it is."""

    device_id: str
    agent_id: str
    mac: str
    imp_type: str
    software_version: str
    agent_url_base: str
    wake_reason: int = 0
    account_id: str = ""


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


def _text(status: int, message: str, **headers: str) -> HttpAnswer:
    return HttpAnswer(status, {"Content-Type": "text/plain", **headers}, message.encode())


class RuntimeEvents(Protocol):
    """What the emulator hears from the runtime. Called on the event loop, never concurrently."""

    def log(self, device_id: str, log_type: str, message: str) -> None:
        """A log line: `server.log`, `server.error`, `agent.log`, `agent.error` or `status`."""

    def save(self, agent_id: str, data: Any) -> None:
        """`server.save(table)` in the agent: persist `data` (plain values, `values.py`)."""

    def load(self, agent_id: str) -> Any:
        """What the agent saved last (a dict), read when the agent boots; `{}` if nothing."""

    def connection(self, device_id: str, connected: bool) -> None:
        """The device dropped off (its code failed and it is restarting) or came back after it."""


@dataclass
class _Vm:
    """The host's record of one boot of a device or agent VM; `vm_id` is unique per boot."""

    vm_id: str
    key: str
    device_id: str
    role: str
    code: str
    fires: TokenBucket
    timers: dict[int, Cancellable] = field(default_factory=dict)
    due: collections.deque[int] = field(default_factory=collections.deque)  # fell due, waiting for the budget
    drain: Cancellable | None = None
    link_down: bool = False  # a device's code called `server.disconnect()` and has not reconnected


@dataclass
class _Outgoing:
    """An agent's own HTTP request in flight; `worker` is set for a sendsync (its worker waits)."""

    task: Any
    timer: Cancellable
    worker: WorkerProcess | None = None
    done: bool = False

    def cancel(self) -> None:
        self.done = True
        self.task.cancel()
        self.timer.cancel()


@dataclass
class _Device:
    facts: DeviceFacts
    device_code: str
    agent_code: str
    connected: bool
    restarts: dict[str, Cancellable] = field(default_factory=dict)
    boot_facts: dict[str, Any] = field(default_factory=dict)
    requests: TokenBucket | None = None
    wake_pins: set[str] | None = None  # in deep sleep: the pins whose high level wakes it

    def __post_init__(self) -> None:
        # Once per start: `asdict` deep-copies, too slow to repeat for every VM a killed worker hosted.
        self.boot_facts = asdict(self.facts)

    def cancel_restarts(self, *roles: str) -> None:
        for role in roles or tuple(self.restarts):
            timer = self.restarts.pop(role, None)
            if timer is not None:
                timer.cancel()


@dataclass
class _Account:
    """One account's worker processes (started on first use) and what happened to them."""

    account_id: str
    pools: dict[str, list[WorkerProcess | None]]
    quarantine: WorkerProcess | None = None
    compiler: WorkerProcess | None = None
    suspects: set[str] = field(default_factory=set)
    broken: str | None = None
    broken_at: float = 0.0
    crashes: int = 0
    last_crash: str | None = None
    fires: TokenBucket = field(default_factory=lambda: TokenBucket(0, 0, 0))

    def workers(self) -> list[WorkerProcess]:
        found = [w for pool in self.pools.values() for w in pool if w is not None]
        return found + [w for w in (self.quarantine, self.compiler) if w is not None]
