"""`impcentral-emulator`: run the impCentral v5 emulator until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import secrets
import signal
import sys

from aiohttp import web

from . import runtime
from .app import create_app
from .config import EmulatorConfig
from .context import EMULATOR
from .models.outbound import ENV_ALLOW, parse_allowed
from .seeds import SeedError


def _rate_limit(value: str) -> int | None:
    if value.lower() == "off":
        return None
    try:
        limit = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a positive number or 'off'") from None
    if limit < 1:
        raise argparse.ArgumentTypeError("expected a positive number or 'off'")
    return limit


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a positive number") from None
    if number <= 0:
        raise argparse.ArgumentTypeError("expected a positive number")
    return number


def parse_args(argv: list[str] | None = None) -> EmulatorConfig:
    parser = argparse.ArgumentParser(
        prog="impcentral-emulator", description="A local emulator of the Electric Imp impCentral API v5."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 takes a free port (default)")
    parser.add_argument("--db", metavar="PATH", help="SQLite file for state that survives restarts (default: memory)")
    parser.add_argument("--seed", default="demo", help="starting state: demo, empty or a YAML/JSON file")
    parser.add_argument("--rate-limit", default="40", type=_rate_limit, help="requests per second per token, or off")
    parser.add_argument("--token-ttl", type=int, default=3600, metavar="SECONDS", help="access token lifetime")
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        default=os.environ.get("IMPCENTRAL_EMULATOR_ADMIN_TOKEN") or None,
        help="require 'Authorization: Bearer TOKEN' on the admin API (/_emulator); without it, one is "
        "generated when --host is not a loopback address (env IMPCENTRAL_EMULATOR_ADMIN_TOKEN)",
    )
    parser.add_argument(
        "--exec",
        choices=("on", "off"),
        default=os.environ.get("IMPCENTRAL_EMULATOR_EXEC") or None,
        help="run devices' and agents' Squirrel (default on where squirrel-lang imports; env "
        "IMPCENTRAL_EMULATOR_EXEC); off: devices log the literal server.log strings of their code",
    )
    parser.add_argument(
        "--allow-outbound",
        metavar="HOST:PORT,...",
        default=os.environ.get(ENV_ALLOW) or "",
        help="targets agents' http.request may reach besides this emulator's agent URLs (default none; env "
        f"{ENV_ALLOW}); never link-local, cloud metadata or the admin API",
    )
    # For tests: a shorter restart back-off and watchdog.
    parser.add_argument("--restart-backoff", type=_positive, default=2.0, help=argparse.SUPPRESS)
    parser.add_argument("--cpu-limit", type=_positive, default=2.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--time-scale",
        type=_positive,
        default=1.0,
        metavar="N",
        help="run the devices' clock N times faster than the wall: their time(), imp.wakeup timers, restart "
        "back-offs, the watchdog and boots take 1/N of the real time (default 1; for tests)",
    )
    # For tests: shorter keep-alives and another per-stream device limit.
    parser.add_argument("--keepalive", type=_positive, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--stream-device-limit", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.token_ttl < 1:
        parser.error("--token-ttl must be at least 1 second")
    keepalive = args.keepalive or float(os.environ.get("IMPCENTRAL_EMULATOR_KEEPALIVE", "15"))
    if args.admin_token is not None and len(args.admin_token) < 16:
        parser.error("--admin-token must be at least 16 characters")
    if args.exec not in (None, "on", "off"):
        parser.error("IMPCENTRAL_EMULATOR_EXEC must be 'on' or 'off'")
    exec_code, exec_note = _execution(args.exec)
    try:
        allow_outbound = parse_allowed(args.allow_outbound)
    except ValueError as exc:
        parser.error(f"--allow-outbound: {exc}")
    return EmulatorConfig(
        host=args.host,
        port=args.port,
        db_path=args.db,
        seed=args.seed,
        rate_limit=args.rate_limit,
        token_ttl=args.token_ttl,
        keepalive_seconds=keepalive,
        stream_device_limit=max(1, args.stream_device_limit),
        admin_token=args.admin_token,
        exec_code=exec_code,
        exec_note=exec_note,
        restart_backoff=args.restart_backoff,
        cpu_seconds=args.cpu_limit,
        time_scale=args.time_scale,
        allow_outbound=allow_outbound,
    )


def _execution(choice: str | None) -> tuple[bool, str | None]:
    """(run code?, the one line to print when it does not although it was not asked off)."""
    if choice == "off":
        return False, None
    reason = runtime.unavailable_reason()
    if reason is None:
        return True, None
    return False, reason


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """The host as it goes in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host else host


def guard_admin(config: EmulatorConfig) -> None:
    """Off loopback the admin API (unbond keys, faults, reset) must not be open to the network:
    warn, and require a token (generated and printed here unless one was given)."""
    if is_loopback(config.host):
        return
    print(
        f"impcentral-emulator: warning: --host {config.host} exposes the emulator to the network; "
        "the admin API (/_emulator) now requires 'Authorization: Bearer <admin token>'",
        file=sys.stderr,
        flush=True,
    )
    if config.admin_token is None:
        config.admin_token = secrets.token_urlsafe(24)
        print(f"impcentral-emulator: admin token: {config.admin_token}", file=sys.stderr, flush=True)


async def serve(config: EmulatorConfig) -> None:
    guard_admin(config)
    if config.exec_note:
        print(f"impcentral-emulator: {config.exec_note}", file=sys.stderr, flush=True)
    app = create_app(config)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    app[EMULATOR].listening(f"http://{url_host(config.host)}:{port}/agents")
    print(f"impCentral emulator listening on http://{url_host(config.host)}:{port}/v5", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    try:
        asyncio.run(serve(config))
    except SeedError as exc:
        print(f"impcentral-emulator: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"impcentral-emulator: cannot listen on {config.host}:{config.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
