"""impt log get / log stream and the --log option against the emulator; every stream is bounded."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from impt.main import main


class Background:
    """An impt command running in a thread with its own output buffers (streams end via --until/--timeout)."""

    def __init__(self, impt, *argv: str) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        self.code: int | None = None
        self.thread = threading.Thread(target=self._run, args=(impt, argv), daemon=True)
        self.thread.start()

    def _run(self, impt, argv) -> None:
        self.code = main(list(argv), env=impt.env, cwd=impt.cwd, stdout=self.out, stderr=self.err, stdin=io.StringIO())

    def wait_for(self, text: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.out.getvalue() + self.err.getvalue():
            assert time.monotonic() < deadline, f"{text!r} not seen in {self.out.getvalue()!r} {self.err.getvalue()!r}"
            time.sleep(0.02)

    def join(self, timeout: float = 30) -> int:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), self.out.getvalue()
        return self.code

    @property
    def lines(self) -> list[str]:
        return self.out.getvalue().splitlines()


def device_id(impt, name: str) -> str:
    return impt.ok("device", "info", "-d", name, "-z", "json").json["Device"]["id"]


def push(emulator, device: str, lines: list) -> None:
    emulator.admin("POST", f"devices/{device}/logs", {"lines": lines})


def seeded_history(impt, device: str) -> list:
    """The boot lines the demo seed gives every device, newest first (the history before a test's own)."""
    return [entry["msg"] for entry in impt.ok("log", "get", "-d", device, "-z", "json").json or []]


def test_log_get_pages_newest_first(impt, emulator):
    sensor = device_id(impt, "sensor-1")
    boot = seeded_history(impt, sensor)
    push(emulator, sensor, [f"l{i}" for i in range(1, 6)])
    everything = impt.ok("log", "get", "-d", "sensor-1", "-s", "2", "--all")
    assert [line.split(" ", 2)[2] for line in everything.lines[:-1]] == ["l5", "l4", "l3", "l2", "l1", *boot]
    assert everything.lines[0].split(" ")[1] == "[server.log]" and everything.lines[-1] == "IMPT COMMAND SUCCEEDS"
    page = impt.ok("log", "get", "-d", "sensor-1", "-s", "2", "-n", "2")
    assert [line.split(" ", 2)[2] for line in page.lines[:-1]] == ["l3", "l2"]
    data = impt.ok("log", "get", "-d", sensor, "-z", "json", "-a").json
    assert [entry["msg"] for entry in data] == ["l5", "l4", "l3", "l2", "l1", *boot] and set(data[0]) >= {"ts", "type"}
    assert [entry["msg"] for entry in impt.ok("log", "get", "-d", sensor, "-z", "json", "-s", "3").json] == [
        "l5",
        "l4",
        "l3",
    ]


def test_log_get_without_a_terminal_prints_one_page(impt, emulator):
    """impt 2.6.1 with stdin closed (impt-behaviour §8 and its sample `impt log get -d <id> -s 3`, issue 23):
    page 1, the status line, an empty line and the pager's prompt; then it ends, exit 0."""
    sensor = device_id(impt, "sensor-1")
    seeded_history(impt, sensor)
    push(emulator, sensor, [f"l{i}" for i in range(1, 30)])
    result = impt.ok("log", "get", "-d", "sensor-1", "-s", "3")
    assert [line.split(" ", 2)[2] for line in result.lines[:3]] == ["l29", "l28", "l27"]
    assert result.lines[3:] == ["IMPT COMMAND SUCCEEDS", "", "Press <Enter> to see more logs or <Ctrl-C> to exit."]
    default = impt.ok("log", "get", "-d", "sensor-1")
    assert len(default.lines) == 20 + 3  # --page-size defaults to 20
    assert impt("log", "get", "-d", "sensor-1", "-s", "0").code == 2
    assert impt("log", "get", "-d", "sensor-1", "-n", "x").lines[0] == 'Error: Option "--page-number" must be a number.'


class _TtyOut(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_get_interactive_paging(impt, emulator):
    sensor = device_id(impt, "sensor-1")
    lines = 3 + len(seeded_history(impt, sensor))
    push(emulator, sensor, ["a", "b", "c"])
    stdout = _TtyOut()
    stdin = _TtyOut("\n" * 10)
    code = main(["log", "get", "-d", "sensor-1", "-s", "2"], env=impt.env, cwd=impt.cwd, stdout=stdout, stdin=stdin)
    text = stdout.getvalue()
    pages = (lines + 1) // 2
    assert code == 0 and text.count("Press <Enter> to see more logs or <Ctrl-C> to exit.") == pages
    assert text.index(" c") < text.index(" b") < text.index(" a") and "No more logs are available." in text


def test_log_get_project_fallbacks(impt, product):
    assert impt("log", "get").lines[0] == "Error: No Device Identifier is specified."
    impt.ok("project", "link", "-g", "DG1", "-q")
    assert impt.ok("log", "get").code == 0
    impt.ok("device", "assign", "-d", "sensor-2", "-g", "DG1")
    multiple = impt("log", "get")
    assert multiple.code == 4 and multiple.lines[0] == "Error: Multiple Devices are found:"
    assert multiple.lines[-2] == "Impossible to execute the command."


def test_stream_json_lines_in_order_nothing_lost(impt, emulator):
    sensor = device_id(impt, "sensor-1")
    stream = Background(impt, "log", "stream", "-d", "sensor-1", "-z", "json", "-u", "line 0499$", "-t", "30")
    stream.wait_for("is opened.")
    push(emulator, sensor, [f"line {i:04d}" for i in range(500)])
    assert stream.join() == 0
    records = [json.loads(line) for line in stream.lines]
    assert [r["msg"] for r in records] == [f"line {i:04d}" for i in range(500)]
    assert set(records[0]) == {"device_id", "ts", "log_type", "type", "msg"} and records[0]["device_id"] == sensor
    assert "IMPT COMMAND" not in stream.out.getvalue()


def test_stream_dropped_resumes_with_gap_marker(impt, emulator):
    sensor = device_id(impt, "sensor-1")
    stream = Background(impt, "log", "stream", "-d", "sensor-1", "-u", "after$", "-t", "40")
    stream.wait_for("Press <Ctrl-C> to exit.")
    push(emulator, sensor, ["before"])
    stream.wait_for("before")
    emulator.admin("PUT", "faults", {"drop_streams": True})
    stream.wait_for("--- The log stream was lost and is reconnected")
    emulator.admin("DELETE", "faults")
    push(emulator, sensor, ["after"])
    assert stream.join() == 0
    lines = stream.lines
    gap = next(i for i, line in enumerate(lines) if line.startswith("--- The log stream was lost"))
    assert lines[gap - 1].endswith("[server.log] before") and lines[gap + 1].endswith("[server.log] after")
    assert lines[0] == f"Log stream for Device(s) {sensor} is opened." and lines[-1] == "IMPT COMMAND SUCCEEDS"


def test_stream_type_filter_and_timeout(impt, emulator):
    sensor = device_id(impt, "sensor-1")
    stream = Background(impt, "log", "stream", "-d", sensor, "-y", "agent.log", "-u", "a2", "-t", "30", "-z", "minimal")
    stream.wait_for("is opened.")
    push(emulator, sensor, [{"type": "server.log", "msg": "s1"}, {"type": "agent.log", "msg": "a2"}])
    assert stream.join() == 0
    assert [line.split(" ", 3)[2:] for line in stream.lines] == [["[agent.log]", "a2"]]
    timed_out = impt("log", "stream", "-d", "sensor-1", "-t", "1")
    assert timed_out.code == 6 and timed_out.lines[-2:] == [
        "Error: The log stream timed out after 1 seconds.",
        "IMPT COMMAND FAILS",
    ]


def test_stream_bad_input(impt, product):
    missing = impt("log", "stream", "-d", "nope")
    assert missing.code == 4 and missing.lines == ['Error: Device "nope" is not found.', "IMPT COMMAND FAILS"]
    assert impt("log", "stream", "-t", "1").lines[0] == "Error: No Device Identifier is specified."
    assert impt("log", "stream", "-d", "sensor-1", "-u", "(").code == 2
    assert impt("log", "stream", "-g", "nope", "-t", "1").code == 4
    assert impt("log", "stream", "-d", "").lines[0] == "Error: No Device Identifier is specified."
    assert impt("log", "stream", "-g", " ").lines[0] == "Error: No Device Group Identifier is specified."


def test_stream_project_group_and_device_limit(impt, emulator, product):
    impt.ok("project", "link", "-g", "DG1", "-q")
    for name in ("sensor-2", "sensor-3", "tracker-1", "tracker-2", "tracker-3"):
        impt.ok("device", "assign", "-d", name, "-g", "DG1")
    result = impt("log", "stream", "-t", "1")
    assert result.code == 6
    assert result.lines[0] == (
        "Warning: a log stream holds at most 5 devices; the logs of all 6 devices are read from their history "
        "every few seconds instead."
    )
    assert result.lines[1].startswith("Log stream for Device(s) ") and result.lines[1].count(",") == 5
    assert result.lines[-2:] == ["Error: The log stream timed out after 1 seconds.", "IMPT COMMAND FAILS"]
    assert "IMPT COMMAND SUCCEEDS" not in result.lines  # one status line


IMPT_BIN = str(Path(sys.executable).parent / "impt")


def _interrupt_after_open(impt, *argv: str) -> subprocess.CompletedProcess:
    """Run a `--log` command, wait (bounded) until its stream is open, then press Ctrl-C."""
    env = {**os.environ, **impt.env}
    process = subprocess.Popen([IMPT_BIN, *argv], cwd=impt.cwd, env=env, stdout=subprocess.PIPE, text=True)
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 20
        while "Press <Ctrl-C> to exit.\n" not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        reader.join(5)
    finally:
        if process.poll() is None:
            process.kill()
    return subprocess.CompletedProcess(argv, process.returncode, "".join(seen))


def test_log_option_of_restart_and_run(impt, product):
    for argv in (("device", "restart", "-d", "sensor-1", "--log"), ("dg", "restart", "-g", "DG1", "-l")):
        done = _interrupt_after_open(impt, *argv)
        assert done.returncode == 0, done.stdout
        assert "is opened." in done.stdout
        assert done.stdout.rstrip().endswith("IMPT COMMAND SUCCEEDS")
    built = _interrupt_after_open(impt, "build", "run", "-g", "DG1", "-x", "device.nut", "-l")
    assert built.returncode == 0 and "is opened." in built.stdout


def test_log_get_page_size_above_the_api_limit(impt, emulator):
    """The API returns at most 100 entries a request; larger pages are assembled from several."""
    sensor = device_id(impt, "sensor-3")
    boot = seeded_history(impt, sensor)
    push(emulator, sensor, [f"e{i}" for i in range(152)])
    everything = impt.ok("log", "get", "-d", "sensor-3", "-s", "200", "--all")
    assert [line.split(" ", 2)[2] for line in everything.lines[:-1]] == [f"e{i}" for i in range(151, -1, -1)] + boot
    second = impt.ok("log", "get", "-d", "sensor-3", "-s", "120", "-n", "2")
    assert [line.split(" ", 2)[2] for line in second.lines[:-1]] == [f"e{i}" for i in range(31, -1, -1)] + boot
    first = impt.ok("log", "get", "-d", "sensor-3", "-s", "120", "-n", "1", "-z", "json").json
    assert [entry["msg"] for entry in first] == [f"e{i}" for i in range(151, 31, -1)]
    paged = impt.ok("log", "get", "-d", "sensor-3", "-s", "120", "--all")
    assert len(paged.lines) == 153 + len(boot)


def test_log_get_help_device_fallback():
    from impt.commands.log import COMMANDS

    device = next(option for option in COMMANDS[0].options if option.name == "device")
    assert device.descr.count("If not specified") == 1 and "exactly one device" in device.descr
