"""Run-time settings of one emulator process (command-line options land here)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0
    db_path: str | None = None
    seed: str = "demo"
    rate_limit: int | None = 40  # requests per second per token; None = off
    token_ttl: int = 3600
    keepalive_seconds: float = 15.0
    stream_device_limit: int = 5
    log_history_limit: int = 1000
    simulated_delay: float = 0.05  # seconds between a device event and its first log line
    exec_code: bool = False  # run devices' and agents' Squirrel (--exec); False: literal lines only
    exec_note: str | None = None  # why execution is off although it was not asked to be (printed at start)
    restart_backoff: float = 2.0  # seconds before a device whose code failed boots again
    cpu_seconds: float = 2.0  # the watchdog: CPU time one callback of a VM may take
    time_scale: float = 1.0  # the devices' clock runs this many times faster than the wall (--time-scale)
    admin_token: str | None = None  # when set, /_emulator needs "Authorization: Bearer <token>"
    # (host, port) agents' http.request may reach besides this emulator's agent URLs (--allow-outbound)
    allow_outbound: frozenset[tuple[str, int]] = field(default_factory=frozenset)
