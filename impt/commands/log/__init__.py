"""`impt log ...`: historical logs (get) and live log streams (stream)."""

from __future__ import annotations

import re
import time

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.targets import device_targets

from impt import options as o
from impt.context import Context
from impt.errors import NotFoundError, UsageError
from impt.output import SUCCEEDS
from impt.resolve import IMPOSSIBLE, catalog, find_one, project_dg


def _project_device(ctx: Context) -> dict:
    """The only device of the project's Device Group (impt's `--device` fallback)."""
    if ctx.project is None:
        raise NotFoundError("No Device Identifier is specified.")
    group = project_dg(ctx, "Device")
    devices = ctx.client.devices.list(device_group=group["id"])
    if not devices:
        raise NotFoundError("No Device Identifier is specified.")
    if len(devices) > 1:
        raise NotFoundError(
            "Multiple Devices are found:", details=catalog(ctx).entries("device", devices), tail=[IMPOSSIBLE]
        )
    return devices[0]


def _print_page(ctx: Context, entries: list[dict]) -> None:
    for entry in entries:
        ctx.out.stdout.write(f"{entry.get('ts')} [{entry.get('type')}] {entry.get('msg')}\n")
    ctx.out.stdout.flush()


def _stdout_is_terminal(ctx: Context) -> bool:
    try:
        return bool(ctx.out.stdout.isatty())
    except (AttributeError, ValueError):
        return False


API_PAGE_SIZE = 100  # impCentral returns at most 100 log entries per request


class _LogPages:
    """The user's pages of `size` entries, built from API pages of at most 100 (each fetched once)."""

    def __init__(self, ctx: Context, device_id: str, size: int) -> None:
        self.fetch = ctx.client.devices.logs
        self.device_id = device_id
        self.size = size
        self.api_pages: dict[int, list[dict]] = {}

    def page(self, number: int) -> list[dict]:
        if self.size <= API_PAGE_SIZE:
            return self.fetch(self.device_id, page_number=number, page_size=self.size)
        start = (number - 1) * self.size
        first = start // API_PAGE_SIZE + 1
        last = (start + self.size - 1) // API_PAGE_SIZE + 1
        entries: list[dict] = []
        for api_number in range(first, last + 1):
            api_page = self._api_page(api_number)
            entries.extend(api_page)
            if len(api_page) < API_PAGE_SIZE:
                break
        offset = start - (first - 1) * API_PAGE_SIZE
        return entries[offset : offset + self.size]

    def _api_page(self, number: int) -> list[dict]:
        if number not in self.api_pages:
            self.api_pages[number] = self.fetch(self.device_id, page_number=number, page_size=API_PAGE_SIZE)
        return self.api_pages[number]


def get(ctx: Context) -> None:
    args = ctx.args
    device = find_one(ctx, "device", args.device) if args.device is not None else _project_device(ctx)
    size = args.page_size
    pages = _LogPages(ctx, device["id"], size)
    if args.page_number is not None:
        page = pages.page(args.page_number)
        ctx.out.data(page) if ctx.out.is_json else _print_page(ctx, page)
        return
    interactive = ctx.terminal.interactive and _stdout_is_terminal(ctx) and not ctx.out.is_json
    if not interactive and not args.all:
        _first_page_only(ctx, pages.page(1))
        return
    collected: list[dict] = []
    number = 1
    while True:
        page = pages.page(number)
        if ctx.out.is_json:
            collected.extend(page)
        else:
            _print_page(ctx, page)
        last = len(page) < size
        if interactive and not _wait_for_enter(ctx, last):
            return
        if last:
            break
        number += 1
    if ctx.out.is_json:
        ctx.out.data(collected)


def _first_page_only(ctx: Context, page: list[dict]) -> None:
    """impt 2.6.1 without a terminal (impt-behaviour §8, its sample run): page 1, the status line and the
    pager's prompt, then the end: scripts rely on one page. `--all` prints every page instead."""
    if ctx.out.is_json:
        ctx.out.data(page)
        return
    _print_page(ctx, page)
    if ctx.out.verbose:
        ctx.out.info(SUCCEEDS)
        ctx.out.info("")
        ctx.out.dialog("Press <Enter> to see more logs or <Ctrl-C> to exit.")
        ctx.out.ended_with_prompt = True


def _wait_for_enter(ctx: Context, last: bool) -> bool:
    """impt's pager: Enter shows the next page; after the last page it says so. False ends the command."""
    ctx.out.info(SUCCEEDS)
    ctx.out.info("")
    ctx.out.dialog("Press <Enter> to see more logs or <Ctrl-C> to exit.")
    try:
        line = ctx.terminal.stdin.readline()
    except KeyboardInterrupt:
        return False
    if not line:
        return False
    if last:
        ctx.out.info("No more logs are available.")
    return True


def stream(ctx: Context) -> None:
    from impt.logstream import StreamOptions, follow_logs

    args = ctx.args
    started = time.monotonic()
    until = None
    if args.until is not None:
        try:
            until = re.compile(args.until)
        except re.error as exc:
            raise UsageError(f'Option "--until" is not a valid regular expression: {exc}.') from None
    if any(not str(value).strip() for value in args.device):
        raise NotFoundError("No Device Identifier is specified.")
    if any(not str(value).strip() for value in args.dg):
        raise NotFoundError("No Device Group Identifier is specified.")
    groups = list(args.dg)
    if not args.device and not args.dg and ctx.project is not None:
        groups = [project_dg(ctx)]
    device_ids = device_targets(ctx.client, args.device, groups, find=lambda kind, v: find_one(ctx, kind, v)).device_ids
    if not device_ids:
        raise NotFoundError("No Device Identifier is specified.")
    options = StreamOptions(until=until, timeout=args.timeout, types=set(args.type), started=started)
    follow_logs(ctx, device_ids, options)


def _empty_ok(option: o.Option) -> o.Option:
    """An empty value reaches the command, which names the missing identifier as impt 2.6 does."""
    option.empty_ok = True
    return option


COMMANDS = (
    o.Command(
        "log",
        "get",
        "Displays historical logs for the specified device.",
        "Displays historical logs of the device, most recent first. With --page-number prints that page; "
        "without it pages on a terminal (Enter for more, Ctrl-C to stop) and prints the first page when stdin "
        "or stdout is not a terminal, as impt 2.6.1 does; --all prints every page without asking.",
        (
            o.Option(
                "device",
                "d",
                o.STRING,
                "A Device identifier. If not specified and the Device Group referenced by the Project file in the "
                "current directory has exactly one device, that device is used (without a Project file, or when "
                "the Device Group has no or several devices, the command fails).",
                "DEVICE_IDENTIFIER",
                o.PROJECT,
            ),
            o.Option("page-size", "s", o.NUMBER, "Number of log entries in one page.", "number_of_entries", default=20),
            o.Option("page-number", "n", o.NUMBER, "The page to display (1 = most recent entries).", "page_number"),
            o.flag("all", "a", "Prints every page without asking (beyond impt 2.6.1)."),
        ),
        get,
    ),
    o.Command(
        "log",
        "stream",
        "Displays logs from the specified devices in real-time.",
        "Creates a log stream and displays logs of the devices (--device, devices of --dg, else the Project's "
        "Device Group) until Ctrl-C. A stream holds at most 5 devices: the logs of more are read from the devices' "
        "history every few seconds (a warning line says so), and so are all of them if another client opens the "
        "account's log stream. A dropped stream is reopened and a gap line printed. For CI: --until ends with "
        "success on a matching line, --timeout (counted from the start of the command) ends with exit code 6, "
        "--type keeps some log types, -z json prints one JSON object per line (with log_type).",
        (
            _empty_ok(o.identifier("device", "d", "device", "A Device to stream; repeat for several.", kind=o.ARRAY)),
            _empty_ok(
                o.identifier(
                    "dg", "g", "dg", "Streams all devices of the Device Group; repeat for several.", kind=o.ARRAY
                )
            ),
            o.text("until", "u", "regex", "Ends with success once a printed line matches this regular expression."),
            o.Option("timeout", "t", o.NUMBER, "Ends with exit code 6 after this many seconds.", "seconds"),
            o.Option(
                "type", "y", o.ARRAY, "Only lines of this log type (status, server.log, agent.log, ...).", "log_type"
            ),
        ),
        stream,
        usage="[--device <DEVICE_IDENTIFIER>] [--dg <DEVICE_GROUP_IDENTIFIER>] [--output <mode>] [--help]",
    ),
)
