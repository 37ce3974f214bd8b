"""`impt test run`: build each test file with impUnit through Builder, deploy, follow the device's logs, report.

As impt 2.6.1's TestHelper: a test file that does not build (Builder) or compile (CX005) is reported and
the run goes on with the next file; the summary's `Failures:` is the sum of the sessions' own counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import ImpCentralError
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import attr, attributes
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (
    END,
    TIMEOUT,
    Gap,
    LogFollower,
    LogLine,
    StateChange,
    Subscribed,
)

from impt.builder import Builder, BuilderError, clear_cache
from impt.commands.test import codegen
from impt.commands.test.selection import TestFile, TestPattern, find_test_files, parse_tests_pattern, selects
from impt.commands.test.session import Failure, Session
from impt.config_files import (
    DEFAULT_TEST_FILES,
    TEST_LABEL,
    read_builder_variables,
    read_github_credentials,
    read_test_config,
)
from impt.context import Context
from impt.errors import ImptError
from impt.resolve import IMPOSSIBLE, catalog, ref

START_TIMEOUT = 60.0
MESSAGE_GRACE = 5.0


class Reporter:
    """impt's `[+<since start>/<since previous>s <kind>] text` lines (text modes only)."""

    def __init__(self, ctx: Context) -> None:
        self.out = ctx.out
        self.start: float | None = None
        self.previous = 0.0

    def line(self, kind: str, text: str) -> None:
        if not self.out.verbose:
            return
        now = time.monotonic()
        timing = ""
        if self.start is None:
            self.start = now
        else:
            timing = f"+{now - self.start:.2f}/{now - self.previous:.2f}s "
        self.previous = now
        self.out.stdout.write(f"[{timing}{kind}] {text}\n")
        self.out.stdout.flush()


@dataclass
class RunSettings:
    timeout: int
    stop_on_fail: bool
    allow_disconnect: bool
    pattern: TestPattern


@dataclass
class TestRun:
    """Everything one `test run` shares between its files and sessions."""

    ctx: Context
    report: Reporter
    group: dict
    devices: list[dict]
    sources: dict[str, str | None]
    settings: RunSettings
    builder: Builder
    sessions: list[Session]


def run_tests(ctx: Context) -> None:
    config = read_test_config(ctx.cwd)
    args = ctx.args
    group = catalog(ctx).get("device_group", config["deviceGroupId"])
    if group is None:
        raise ImptError(
            f'Device Group "{config["deviceGroupId"]}", saved in {TEST_LABEL} File, does not exist anymore.',
            tail=[IMPOSSIBLE, f'Use "impt test delete" command to delete the outdated {TEST_LABEL}.'],
        )
    if args.clear_cache:
        clear_cache(ctx.cwd)
    pattern = parse_tests_pattern(args.tests)
    report = Reporter(ctx)
    report.line("info", time.strftime("Started at %d %b %Y %H:%M:%S GMT%z"))
    files = find_test_files(ctx.cwd, config.get("testFiles") or DEFAULT_TEST_FILES, pattern)
    if not files:
        raise ImptError("No test files found")
    report.line("info", f"Found {len(files)} test file(s):")
    for test_file in files:
        ctx.out.info(f"\t{test_file.path}" + (f" ({test_file.partner})" if test_file.partner else ""))
    builder = _builder(ctx, report, config)
    sources = {kind: _source(ctx, report, config, kind) for kind in ("agent", "device")}
    devices = ctx.client.devices.list(device_group=group["id"])
    name = attr(group, "name") or group["id"]
    if not devices:
        raise ImptError(f'Device Group "{name}" does not have assigned Devices.')
    settings = RunSettings(
        int(config.get("timeout", 30)),
        bool(config.get("stopOnFail")),
        bool(config.get("allowDisconnect")),
        pattern,
    )
    run = TestRun(ctx, report, group, devices, sources, settings, builder, [])
    for test_file in files:
        try:
            going_on = _run_file(run, test_file)
        except FileNotBuilt as exc:
            for line in exc.lines:
                report.line("error", line)
            failed = Session("", test_file.kind, test_file.path, settings.allow_disconnect, report.line)
            failed.failed = True
            failed.failures.append(Failure("Session", test_file.path, exc.lines[0]))
            run.sessions.append(failed)
            going_on = not settings.stop_on_fail
        if not going_on:
            break
    _summary(ctx, report, run.sessions)


class FileNotBuilt(Exception):
    """A test file that Builder or the compiler refused: its lines are reported and the run goes on."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines[0])
        self.lines = lines


def _builder(ctx: Context, report: Reporter, config: dict) -> Builder:
    """Builder with the test configuration's variables, GitHub credentials (else GITHUB_USER/GITHUB_TOKEN), cache."""
    variables = {}
    if config.get("builderConfig"):
        variables = read_builder_variables(ctx.path(config["builderConfig"])) or {}
    credentials = None
    if config.get("githubConfig"):
        credentials = read_github_credentials(ctx.path(config["githubConfig"]))
    github = None
    if credentials is not None:
        github = (credentials["githubUser"], credentials["githubToken"])
    elif ctx.env.get("GITHUB_USER") and ctx.env.get("GITHUB_TOKEN"):
        github = (ctx.env["GITHUB_USER"], ctx.env["GITHUB_TOKEN"])
    return Builder(
        variables,
        ctx.cwd,
        environ=dict(ctx.env),
        github=github,
        cache=bool(config.get("builderCache")),
        warn=lambda message: report.line("warning", message),
    )


def _source(ctx: Context, report: Reporter, config: dict, kind: str) -> str | None:
    """The source file's path as Builder includes it (checked readable here, built with each test file)."""
    name = config.get(f"{kind}File")
    if not name:
        report.line("info", f"Have no {kind} source file, using blank")
        return None
    path = ctx.path(name)
    if not path.is_file():
        raise ImptError(f'{kind.capitalize()} source file "{name}" not found')
    report.line("info", f"Using {kind} source file: {name}")
    _check_readable(path, name)
    try:  # relative to the current directory, so line control names it as the user does
        return path.resolve().relative_to(ctx.cwd.resolve()).as_posix()
    except ValueError:
        return str(path)


def _check_readable(path: Path, shown: str) -> None:
    """Unreadable or non-UTF-8 content is the user's file error, not a crash."""
    try:
        path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ImptError(f"File error: {shown}: {reason}.") from None


def _run_file(run: TestRun, test_file: TestFile) -> bool:
    """Deploy one test file and run its session on every device; False when testing must stop."""
    ctx, report, group, devices = run.ctx, run.report, run.group, run.devices
    sources, settings = run.sources, run.settings
    _check_readable(ctx.cwd / test_file.path, test_file.path)
    if test_file.partner:
        _check_readable(ctx.cwd / test_file.partner, test_file.partner)
    session_id = codegen.new_session_id()
    code_settings = codegen.SessionSettings(
        session_id, settings.timeout, settings.stop_on_fail, settings.pattern.test_class, settings.pattern.method
    )
    kind = test_file.kind
    other = "device" if kind == "agent" else "agent"
    try:
        built = codegen.generate(
            run.builder, kind, sources, test_file.path, partner=test_file.partner, settings=code_settings
        )
    except BuilderError as exc:
        raise FileNotBuilt([exc.message]) from None
    if not codegen.test_classes(built.tests) or not selects(built.tests, settings.pattern):
        report.line("info", f'Skip "{test_file.path}" testing')
        return True
    code = {kind: built.test_side, other: built.other_side}
    report.line("info", f'Using {kind} test file "{test_file.path}"')
    name = attr(group, "name") or group["id"]
    report.line("info", f'Using Device Group "{name}" [{group["id"]}]')
    deployment = _deploy(ctx, group, code)
    ctx.out.info(f'Deployment "{deployment["id"]}" is created successfully.')
    report.line("info", f"Created Deployment: {deployment['id']}")
    for index, device in enumerate(devices, 1):
        ctx.out.info("")
        shown = session_id if len(devices) == 1 else f"{session_id}-{index}"
        report.line("test", f'Starting test session "{shown}"')
        if kind == "agent" and sources["device"] is None:
            report.line("info", "Test session is agent-only")
        device_attributes = attributes(device)
        report.line(
            "info", f"Using Device {device_attributes.get('name') or ''} [{device['id']}] ({index}/{len(devices)})"
        )
        if device_attributes.get("device_online") is False and kind == "device":
            report.line("warning", f"Warning: please ensure imp device {device['id']} is online.")
        session = Session(session_id, kind, test_file.path, settings.allow_disconnect, report.line, code=code)
        session.external = _external_runner(settings.timeout)
        _follow_session(run, session, device)
        run.sessions.append(session)
        report.line("test", f'Session "{shown}" {"failed" if session.failed else "succeeded"}')
        if session.failed and settings.stop_on_fail:
            return False
    return True


def _deploy(ctx: Context, group: dict, code: dict[str, str]) -> dict:
    """POST /deployments; a CX005 compile error names the user's file and line behind each generated row."""
    try:
        return ctx.client.deployments.create(ref(group), device_code=code["device"], agent_code=code["agent"])
    except ImpCentralError as exc:
        lines = compile_errors(exc, code)
        if not lines:
            raise
        raise FileNotBuilt([str(exc), *lines]) from None


def compile_errors(exc: BaseException, code: dict[str, str]) -> list[str]:
    """impt's `<file> <type> (line r, column c): <text>` per CX005 item, file and line mapped through line control."""
    lines = []
    for entry in getattr(exc, "errors", None) or []:
        meta = entry.get("meta") if isinstance(entry, dict) else None
        for item in meta if isinstance(meta, list) else []:
            if not isinstance(item, dict) or "text" not in item:
                continue
            side = "agent" if item.get("file") == "agent_code" else "device"
            row = item.get("row")
            found = codegen.where(code[side], row) if isinstance(row, int) else None
            name, line = found or (item.get("file"), row)
            lines.append(f"{name} {item.get('type')} (line {line}, column {item.get('column')}): {item['text']}")
    return lines


def _follow_session(run: TestRun, session: Session, device: dict) -> None:
    """Open the device's stream, re-assign it (which loads the new build), then feed its lines to the session.

    The shared follower holds the deadline: the start timeout first, then, after each protocol message, the
    test timeout (plus a grace) from that message on."""
    ctx, report, group, timeout = run.ctx, run.report, run.group, run.settings.timeout
    follower = LogFollower(ctx.client, [device["id"]], deadline=START_TIMEOUT, subscribe_wait=START_TIMEOUT)
    with follower:
        if not _subscribed(follower):
            session.fail("Session startup timeout")
            return
        ctx.client.device_groups.add_devices(group["id"], [device["id"]])
        ctx.out.info(f'Device "{device["id"]}" is assigned successfully to Device Group "{group["id"]}".')
        messages_seen = False
        while not session.done:
            item = follower.next()
            if item is TIMEOUT:
                session.fail("Testing timeout" if messages_seen else "Session startup timeout")
            elif item is END:
                session.fail("The log stream is closed.")
            elif isinstance(item, LogLine) and item.device_id == device["id"]:
                if session.handle_line(item.type, item.msg):
                    messages_seen = True
                    follower.extend(timeout + MESSAGE_GRACE)
            elif isinstance(item, StateChange) and item.state == "closed":
                session.fail("The log stream is closed.")
            elif isinstance(item, Gap):
                report.line("warning", "The log stream was lost and is reconnected; lines may be missing.")


def _subscribed(follower: LogFollower) -> bool:
    """Wait for the device's subscription; what came before it belongs to the previous build."""
    while True:
        item = follower.next()
        if isinstance(item, Subscribed):
            return item.complete
        if item is END or item is TIMEOUT:
            return False


def _external_runner(timeout: int):
    """impUnit's EXTERNAL_COMMAND: run the command locally with the test timeout."""

    def run(command: str) -> tuple[int, str]:
        import subprocess

        try:
            done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S602 - impUnit's protocol asks for a shell command
        except subprocess.TimeoutExpired:
            return 1, "External command timed out"
        return done.returncode, done.stdout + done.stderr

    return run


def _summary(ctx: Context, report: Reporter, sessions: list[Session]) -> None:
    """impt 2.6.1's summary: each failure entry and a blank line; the counts are the sessions' own."""
    failures: list[Failure] = [f for s in sessions for f in s.failures]
    tests = sum(s.totals.tests for s in sessions)
    assertions = sum(s.totals.assertions for s in sessions)
    failed = any(s.failed for s in sessions)
    ctx.out.info("")
    report.line("info", "-------------TEST SUMMARY-------------")
    ctx.out.info("")
    for number, failure in enumerate(failures, 1):
        report.line("info", f"{number}) {failure.test}")
        report.line("info", f"at {failure.file}")
        report.line("info", f"Error: {failure.error}")
        ctx.out.info("")
    counted = sum(s.totals.failures for s in sessions)
    report.line("info", f"Tests: {tests}, Assertions: {assertions}, Failures: {counted}")
    report.line("info", "--------------------------------------")
    ctx.out.info("")
    error = ImptError("Testing failed")
    if ctx.out.is_json:
        summary = {
            "Tests": tests,
            "Assertions": assertions,
            "Failures": [{"test": f.test, "file": f.file, "error": f.error} for f in failures],
            "Result": "failed" if failed else "succeeded",
        }
        ctx.out.data({"Test Summary": summary, **({"Error": error.message} if failed else {})})
        error.reported = True
    if failed:
        report.line("info", "Testing failed")
        raise error
    report.line("info", "Testing succeeded")
