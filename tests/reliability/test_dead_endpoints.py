"""Dead and slow endpoints: a server that accepts and never answers fails impt and the modules at the deadline
with one line naming the endpoint; a refused connection fails impt after one quick retry; impt honours
IMPCENTRAL_MAX_RETRIES. Short timeouts are configured here: the defaults are measured by bench/dead_endpoints.py."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.api import transport
from relsuite import Impt, assert_clear_failure, error_lines, patch_module_exits, run_module

SHORT = {"IMPCENTRAL_CONNECT_TIMEOUT": "1", "IMPCENTRAL_TIMEOUT": "0.3", "IMPCENTRAL_DEADLINE": "1"}


class SilentServer:
    """Accepts every connection and never answers (a hung proxy, a stopped process behind a live socket)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.accepted: list = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/v5"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                self.accepted.append(self.sock.accept()[0])
            except OSError:
                continue

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        for conn in self.accepted:
            conn.close()
        self.sock.close()


class SlowHandler(BaseHTTPRequestHandler):
    """Answers every request, each after DELAY seconds: a login for /auth/token, an empty page otherwise."""

    DELAY = 0.4

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.DELAY)
        if self.path.endswith("/auth/token"):
            body = {"access_token": "a" * 20, "expires_in": 3600, "expires_at": "2099-01-01T00:00:00Z"}
        else:
            body = {"data": [], "links": {}}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.api+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def slow():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v5"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def silent():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def sleeps(monkeypatch):
    """The waits between retries, recorded (the retries themselves still happen)."""
    waits: list = []
    monkeypatch.setattr(transport.time, "sleep", waits.append)
    return waits


def test_impt_fails_at_the_deadline_naming_the_endpoint(silent, tmp_path):
    env = {"IMPT_ENDPOINT": silent.url, "IMPT_LOGINKEY": "k" * 16, **SHORT}
    result = Impt(tmp_path, tmp_path, silent.url, env)("product", "list")
    assert_clear_failure(result, "silent server")
    line = error_lines(result.text)[0]
    assert line.startswith("Error: Access to impCentral failed or timed out.")
    assert silent.url in line and "1 s deadline" in line and "read timeout" in line


def test_module_fails_at_the_deadline_naming_the_endpoint(silent, monkeypatch, tmp_path):
    patch_module_exits(monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("IMPCENTRAL_DEADLINE", "1")
    result = run_module(
        "product_info", {"endpoint": silent.url, "login_key": "k" * 16, "timeout": 0.3, "connect_timeout": 1}
    )
    assert result["failed"] is True
    assert silent.url in result["msg"] and "1 s deadline" in result["msg"], result["msg"]
    assert "k" * 16 not in str(result)


def test_impt_refused_connection_is_retried_once_with_a_short_wait(closed_port, tmp_path, sleeps):
    url = f"http://127.0.0.1:{closed_port}/v5"
    result = Impt(tmp_path, tmp_path, url, {"IMPT_ENDPOINT": url, "IMPT_LOGINKEY": "k" * 16})("product", "list")
    assert_clear_failure(result, "refused")
    assert "connection refused" in error_lines(result.text)[0] and url in error_lines(result.text)[0]
    assert len(sleeps) == 1 and sleeps[0] <= 0.5


def test_impt_honours_max_retries_from_the_environment(closed_port, tmp_path, sleeps):
    url = f"http://127.0.0.1:{closed_port}/v5"
    env = {"IMPT_ENDPOINT": url, "IMPT_LOGINKEY": "k" * 16, "IMPCENTRAL_MAX_RETRIES": "0"}
    assert_clear_failure(Impt(tmp_path, tmp_path, url, env)("product", "list"), "no retries")
    assert sleeps == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("IMPCENTRAL_DEADLINE", "0"),
        ("IMPCENTRAL_TIMEOUT", "soon"),
        ("IMPCENTRAL_MAX_RETRIES", "1.5"),
        ("IMPCENTRAL_OVERALL_DEADLINE", "-5"),
    ],
)
def test_impt_refuses_a_bad_setting_in_one_line(name, value, closed_port, tmp_path):
    url = f"http://127.0.0.1:{closed_port}/v5"
    env = {"IMPT_ENDPOINT": url, "IMPT_LOGINKEY": "k" * 16, name: value}
    result = Impt(tmp_path, tmp_path, url, env)("product", "list")
    assert_clear_failure(result, name)
    assert name in error_lines(result.text)[0]


def test_impt_command_of_slow_answers_fails_at_its_overall_deadline(slow, tmp_path):
    """The login and the list each answer in 0.4 s, well inside the 2 s per-request deadline; together they
    pass the command's 0.6 s, so the list is cut short with one line naming it and the overall deadline."""
    env = {
        "IMPT_ENDPOINT": slow,
        "IMPT_LOGINKEY": "k" * 16,
        "IMPCENTRAL_TIMEOUT": "2",
        "IMPCENTRAL_DEADLINE": "2",
        "IMPCENTRAL_OVERALL_DEADLINE": "0.6",
    }
    result = Impt(tmp_path, tmp_path, slow, env)("product", "list")
    assert_clear_failure(result, "slow server")
    line = error_lines(result.text)[0]
    assert f"GET {slow}/products" in line and "command's overall deadline of 0.6 s" in line, line
    assert "k" * 16 not in result.text


def test_impt_command_of_slow_answers_succeeds_within_the_default_overall_deadline(slow, tmp_path):
    env = {"IMPT_ENDPOINT": slow, "IMPT_LOGINKEY": "k" * 16, "IMPCENTRAL_TIMEOUT": "2", "IMPCENTRAL_DEADLINE": "2"}
    result = Impt(tmp_path, tmp_path, slow, env)("product", "list")
    assert result.code == 0, result.text


@pytest.mark.parametrize(
    ("tokens", "exempt"),
    [
        (["log", "stream"], True),
        (["test", "run"], True),
        (["build", "run", "--log"], True),
        (["dg", "restart", "--log"], True),
        (["device", "restart", "--device", "d1", "--log"], True),
        (["build", "run"], False),
        (["log", "get"], False),
        (["product", "list"], False),
    ],
)
def test_impt_commands_that_wait_have_no_overall_deadline(tokens, exempt):
    """They wait for as long as their own --timeout/--until or the user says; every other command is capped."""
    from impt import commands
    from impt.context import Context, waits
    from impt.parser import parse

    command = next(c for c in commands.load_group(tokens[0]).COMMANDS if c.name == tokens[1])
    args = parse(command, tokens[2:])
    exempted = waits(command.group, command.name, args)
    assert exempted is exempt
    out = SimpleNamespace(mode="normal")
    ctx = Context(args, out, None, env={}, cwd=Path(), home=Path(), waits=exempted)  # type: ignore[arg-type]
    transport_ = ctx.new_client("http://127.0.0.1:9/v5").transport
    assert transport_.overall_deadline == (None if exempt else 300.0)
    assert transport_.deadline == 40.0  # each request keeps its own bound either way


def test_module_task_of_slow_answers_fails_at_its_overall_deadline(slow, monkeypatch, tmp_path):
    patch_module_exits(monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("IMPCENTRAL_OVERALL_DEADLINE", "0.6")
    result = run_module("product_info", {"endpoint": slow, "login_key": "k" * 16, "timeout": 2, "deadline": 2})
    assert result["failed"] is True
    assert slow in result["msg"] and "task's overall deadline of 0.6 s" in result["msg"], result["msg"]
    assert "k" * 16 not in str(result)


def test_waiting_actions_get_no_overall_deadline_and_others_the_option(tmp_path):
    """log_tail and release_rollout connect with waits=True (their own timeouts bound them); others get the option."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.auth import connect

    options = {"endpoint": "http://127.0.0.1:9/v5", "login_key": "k" * 16, "token_cache": False}
    assert connect(options, waits=True).transport.overall_deadline is None
    assert connect(options).transport.overall_deadline == 300.0
    assert connect(dict(options, overall_deadline=12)).transport.overall_deadline == 12.0
