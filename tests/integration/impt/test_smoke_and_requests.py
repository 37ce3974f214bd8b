"""A few runs of the installed `impt` script, and the request budget against impt 2.6."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

IMPT = str(Path(sys.executable).parent / "impt")


def run(*argv, cwd, home):
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    return subprocess.run([IMPT, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_installed_script(impt, product):
    help_run = run("--help", cwd=impt.cwd, home=impt.home)
    assert help_run.returncode == 0 and help_run.stdout.startswith("Usage: impt <command> [options]")
    listed = run("product", "list", "-z", "json", cwd=impt.cwd, home=impt.home)
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["Product"]["name"] == "P1"
    failed = run("product", "info", "-p", "nope", cwd=impt.cwd, home=impt.home)
    assert failed.returncode == 4 and failed.stdout.splitlines()[-1] == "IMPT COMMAND FAILS"
    assert "\x1b[" not in listed.stdout + failed.stdout


def test_closed_pipe_neither_tracebacks_nor_stops_the_command(impt, product):
    """`impt ... | head -0`: the reader is gone before impt writes; the command still completes."""
    env = {"HOME": str(impt.home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    for argv in (["product", "create", "-n", "PIPED"], ["device", "list", "-z", "json"]):
        process = subprocess.Popen([IMPT, *argv], cwd=impt.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        process.stdout.close()
        assert process.wait(timeout=60) == 0
        assert process.stderr.read() == b""
        process.stderr.close()
    assert impt.ok("product", "info", "-p", "PIPED", "-z", "json").json["Product"]["name"] == "PIPED"


def count(emulator, impt, *argv):
    emulator.clear_requests()
    impt.ok(*argv)
    return len(emulator.requests())


def test_request_budget_beats_impt(impt, emulator, product):
    assert count(emulator, impt, "dg", "create", "-p", "P1", "-n", "DG2") <= 2  # impt 2.6: 3
    assert count(emulator, impt, "dg", "info", "--dg", "DG1") <= 4  # impt 2.6: 5
    assert count(emulator, impt, "product", "info", "-p", "P1", "--full") <= 6  # impt 2.6: 7
    assert count(emulator, impt, "build", "deploy", "-g", "DG1") == 2
    assert count(emulator, impt, "product", "delete", "-p", "P1", "--force", "--builds", "-q") <= 11


def test_a_5xx_after_every_retry_exits_5_like_a_dropped_connection(impt, emulator, monkeypatch):
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import Transport

    monkeypatch.setattr(Transport, "_backoff", lambda self, attempt: 0.0)  # the retries, without their waits
    emulator.admin("PUT", "faults", {"status_rates": {"503": 1.0}})
    failed = impt("product", "list")
    assert failed.code == 5 and failed.lines[-1] == "IMPT COMMAND FAILS"
    assert failed.lines[0].startswith("Error: ")
    assert len(emulator.requests()) > 1  # retried first
    emulator.admin("PUT", "faults", {"reset_rate": 1.0})
    assert impt("product", "list", "-z", "json").code == 5


@pytest.mark.parametrize(
    "content",
    [
        {"endpoint": 5, "accessToken": "a", "expiresAt": "2030-01-01T00:00:00Z"},
        {"accessToken": ["a"], "expiresAt": "2030-01-01T00:00:00Z"},
        {"accessToken": "a", "expiresAt": "tomorrow"},
        {"accessToken": "a", "expiresAt": "2030-01-01T00:00:00Z", "loginKey": {"k": 1}},
        ["not", "an", "object"],
    ],
)
def test_a_mistyped_auth_file_is_corrupted_with_exit_3(impt, content):
    (impt.cwd / ".impt.auth").write_text(json.dumps(content))
    for command in (("product", "list"), ("auth", "info")):
        failed = impt(*command)
        assert failed.code == 3 and failed.lines[0] == "Error: Local Auth File is corrupted.", failed.out


def test_arguments_that_are_not_utf8_are_refused_before_any_request(impt, emulator):
    emulator.clear_requests()
    refused = impt("product", "create", "-n", "bad\udcff")
    assert refused.code == 2 and refused.lines[0] == 'Error: Argument "bad\\xff" is not valid UTF-8.'
    assert emulator.requests() == []
