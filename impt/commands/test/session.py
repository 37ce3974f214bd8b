"""One test session on one device: log events in, report lines and a verdict out (impt-behaviour §9).

As impt 2.6.1's TestSession: device problems (runtime errors, disconnects, out of memory or code space)
before the session starts are warnings, and the session waits for its start until the startup timeout;
once started, runtime errors are `[test]` lines and the others end the session. Session errors print as
`[error] <text>`. Pure logic (no I/O), so the protocol handling is unit-tested without a server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from impt.commands.test.codegen import where
from impt.commands.test.impunit_protocol import describe_value, for_session, storage_usage

_FRAME = re.compile(r"^(\s*(?:ERROR:\s*)?(?:at|from)\s+\S+?):(\d+)\s*$")
INITIALIZED, READY, STARTED, DONE = "initialized", "ready", "started", "done"


@dataclass
class Failure:
    test: str
    file: str
    error: str


@dataclass
class SessionTotals:
    tests: int = 0
    assertions: int = 0
    failures: int = 0


@dataclass
class Session:
    """Follows the protocol for `session` on the log type of `kind`; `say(kind, text)` prints a line."""

    session: str
    kind: str  # agent | device
    test_file: str
    allow_disconnect: bool
    say: Callable[[str, str], None]
    state: str = INITIALIZED
    failed: bool = False
    error: str | None = None
    current_test: str = ""
    totals: SessionTotals = field(default_factory=SessionTotals)
    failures: list[Failure] = field(default_factory=list)
    external: Callable[[str], tuple[int, str]] | None = None
    code: dict[str, str] = field(default_factory=dict)  # the deployed code per side, to map error rows
    crashed: bool = False  # a runtime error since the last SESSION_START

    @property
    def done(self) -> bool:
        return self.state == DONE

    def fail(self, error: str) -> None:
        """End the session with an error (timeouts, stream closed, device problems)."""
        self.say("error", error)
        self.failed = True
        self.error = error
        self.failures.append(Failure(self.current_test or "Session", self.test_file, error))
        self.state = DONE

    def handle_line(self, log_type: str | None, msg: str) -> bool:
        """One log line; True when it was a protocol message of this session (re-arms the test watchdog)."""
        message = for_session(msg, log_type, self.kind, self.session)
        if message is not None:
            self._protocol(message.type, message.message)
            return True
        self._device_line(log_type, msg)
        return False

    def _device_error(self, error: str) -> None:
        """Before the session starts a warning (the startup timeout decides); after, the session's end."""
        if self.state == STARTED:
            self.fail(error)
        else:
            self.say("warning", error)

    def _device_line(self, log_type: str | None, msg: str) -> None:
        if log_type == "status":
            self._status(msg)
        elif log_type == "lastexitcode" and "out of memory" in msg:
            self._device_error("Device is out of memory")
        elif log_type in ("server.error", "agent.error"):
            side = "device" if log_type == "server.error" else "agent"
            text = f"{side.capitalize()} Runtime Error: {self._mapped(side, msg)}"
            if self.state == STARTED:
                self.crashed = True
                self.say("test", text)
            else:
                self.say("warning", text)
        elif log_type == "powerstate":
            self.say("info", f"Powerstate: {msg}")
        elif log_type == "firmware":
            self.say("info", f"Firmware: {msg}")

    def _mapped(self, side: str, msg: str) -> str:
        """A stack frame line (`at fn:row`) with the user's file and line behind the generated row."""
        match = _FRAME.match(msg)
        found = where(self.code[side], int(match.group(2))) if match and side in self.code else None
        return msg if found is None else f"{msg} ({found[0]}:{found[1]})"

    def _status(self, msg: str) -> None:
        if "Agent restarted" in msg:
            if self.state == INITIALIZED:
                self.state = READY
            return
        usage = storage_usage(msg)
        if usage is not None:
            self.say("info", f"Device code space usage: {float(usage[0]):.1f}%")
            if usage[1]:
                self._device_error("Device is out of code space")
        elif "Device disconnected" in msg:
            if self.allow_disconnect:
                self.say("info", "Disconnected. Allowed by config.")
            else:
                self._device_error("Device disconnected")

    def _protocol(self, kind: str, message: Any) -> None:
        if kind == "SESSION_START":
            if self.state == STARTED and self.crashed:  # a runtime error restarted the code: it would loop
                self.fail("Device restarted")
                return
            if self.state == STARTED:  # the device restarted and runs the tests again: the new run counts
                self.say("warning", "Device restarted: the test session starts again")
                self.failures = [f for f in self.failures if f.test == "Session"]
                self.failed = bool(self.failures)
            self.crashed = False
            self.state = STARTED  # our random session id proves the new code runs, "Agent restarted" or not
        elif kind == "TEST_START":
            self.current_test = str(message)
            self.say("test", self.current_test)
        elif kind == "TEST_OK":
            self.say("test", "Success" if message is None else f"Success: {describe_value(message)}")
        elif kind == "TEST_FAIL":
            self.say("test", f"Failure: {message}")
            self.failed = True
            self.failures.append(Failure(self.current_test, self.test_file, str(message)))
        elif kind == "INFO":
            value = message.get("message") if isinstance(message, dict) else message
            self.say("test", describe_value(value))
        elif kind == "EXTERNAL_COMMAND":
            self._external(message)
        elif kind == "SESSION_RESULT":
            self._result(message if isinstance(message, dict) else {})
        else:
            self.say("test", f"Message of type {kind}: {describe_value(message)}")

    def _result(self, counts: dict) -> None:
        self.totals = SessionTotals(
            int(counts.get("tests", 0)), int(counts.get("assertions", 0)), int(counts.get("failures", 0))
        )
        self.say(
            "test",
            f"Tests: {self.totals.tests}, Assertions: {self.totals.assertions}, Failures: {self.totals.failures}",
        )
        if self.totals.failures > 0:
            self.failed = True
        self.state = DONE

    def _external(self, message: Any) -> None:
        command = message.get("command") if isinstance(message, dict) else None
        if not command or self.external is None:
            self.say("warning", f"Message of type EXTERNAL_COMMAND: {describe_value(message)}")
            return
        self.say("info", f"Running external command: {command}")
        code, output = self.external(command)
        for line in output.splitlines():
            self.say("info", f"> {line}")
        if code != 0:
            error = f"External command failed with exit code {code}"
            self.say("test", f"Failure: {error}")
            self.failed = True
            self.failures.append(Failure(self.current_test, self.test_file, error))
