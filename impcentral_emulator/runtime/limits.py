"""Every limit of the runtime in one place, with its number and where the number comes from.

Accounts share one emulator, so each limit also bounds what one account's code can make the
emulator's process do or hold. The table in README.md lists them with their sources; a new limit
goes here first, then into that table and `impcentral_emulator/README.md`.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-VM limits and timings; the host and the workers read the same instance.

    Units: seconds, bytes, counts. "Per second" figures are token buckets: up to the burst at
    once, then the rate.
    """

    # CPU and memory of one VM (watchdog); the worker processes that host the VMs.
    cpu_seconds: float = 2.0  # CPU time of one callback (boot, timer, message, request)
    time_scale: float = 1.0  # the clock's speed (`LoopClock`): the watchdog trips after cpu_seconds / time_scale
    memory_bytes: int = 16 * MIB  # what one VM may hold
    restart_backoff: float = 2.0  # a failed device boots again after this
    workers: int = 1  # worker processes per role (device, agent) per account
    worker_nice: int = 10  # workers yield the CPU to the event loop
    # Timers (`imp.wakeup`).
    timers_per_vm: int = 1000  # pending timers; past it imp.wakeup returns null, as the imp API says
    timer_resolution: float = 0.01  # a positive interval shorter than this waits this long (imp API reference)
    timer_fires_per_second: float = 200.0  # a VM's timers fire at most this often (burst as many); later ones wait
    account_fires_per_second: float = 1000.0  # all timers of one account's VMs together; later ones wait
    # Messages between a device and its agent (`agent.send`, `device.send`).
    messages_per_second: float = 100.0  # per direction and device; past it the send is a runtime error
    message_burst: int = 100
    message_bytes: int = 64 * KIB  # size of one message's value (strings and blobs by length, 8 per scalar)
    save_bytes: int = 64 * KIB  # size of the table `server.save` keeps (imp API reference)
    value_depth: int = 32  # nesting of tables and arrays in a value that crosses
    # Log lines of code (`server.log`, `server.error`).
    log_line_bytes: int = 64 * KIB  # longer lines are cut, with a marker saying how long they were
    log_lines_per_second: float = 100.0  # per VM; lines past the budget are dropped and counted
    log_line_burst: int = 1000
    log_bytes_per_second: float = 256 * KIB
    log_byte_burst: int = 1 * MIB
    # Agent URLs (`http.onrequest`).
    http_timeout: float = 30.0  # a request the handler never answers is answered 504 after this
    http_body_bytes: int = 1 * MIB  # larger request bodies: 413, the agent never sees them
    http_response_bytes: int = 4 * MIB  # larger response bodies: a runtime error in response.send
    http_requests_per_second: float = 50.0  # per agent; past it (and the burst): 429
    http_request_burst: int = 100
    http_pending: int = 100  # requests an agent holds unanswered at once; past it: 429
    # Agents' own requests (`http.request`, `sendasync`): made by the host's event loop, never the worker.
    http_outbound_pending: int = 64  # requests one agent has in flight; past it sendasync is a runtime error
    http_outbound_response_bytes: int = (
        4 * MIB
    )  # a larger answer is statuscode 63 (libcurl: maximum file size exceeded)
    # Simulated hardware.
    nv_bytes: int = 4 * KIB  # the `nv` table kept through deep sleep ("just under 4KB", imp API reference)
    flash_held_bytes: int = 16 * MIB  # written SPI flash sectors one worker (an account's devices) holds; past it
    # spiflash.write throws (the host mirrors what is held: this bounds the emulator's memory per account)
    # Source code given to `compilestring` (deployments have their own worker).
    source_nesting: int = 400  # brackets, or prefix operators in a row: Squirrel's compiler recurses


class TokenBucket:
    """`take()` is True while the budget lasts: `burst` at once, refilled at `rate` per second of `now`."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now

    def take(self, now: float, amount: float = 1.0) -> bool:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = max(self.stamp, now)
        if self.tokens < amount:
            return False
        self.tokens -= amount
        return True

    def wait(self, now: float, amount: float = 1.0) -> float:
        """Seconds until `amount` is available (0 when it is now)."""
        available = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        return 0.0 if available >= amount else (amount - available) / self.rate
