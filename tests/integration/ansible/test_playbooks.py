"""ansible-playbook against the emulator: create, repeat (no change), check mode (no write), delete."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent

# Each test starts from its own (or the reset) emulator: pytest-xdist may spread them (tests/conftest.py).
pytestmark = pytest.mark.xdist_per_test
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


def playbook(emulator, tmp_path, name, *args, **extra_vars):
    env = dict(
        os.environ,
        IMPT_ENDPOINT=emulator.base_url,
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        ANSIBLE_STDOUT_CALLBACK="default",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        NO_PROXY="127.0.0.1,localhost",
    )
    extra = dict(extra_vars, ansible_python_interpreter=sys.executable)
    command = [
        str(BIN / "ansible-playbook"),
        "-i",
        "localhost,",
        "-c",
        "local",
        str(HERE / name),
        "-e",
        json.dumps(extra),
        *args,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    recap = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)", done.stdout)
    assert recap, done.stdout
    return int(recap.group(2)), done.stdout + done.stderr


def api_writes(emulator):
    """Writes under /v5, except logins (POST /v5/auth*)."""
    out = []
    for entry in emulator.requests():
        path = entry.get("path", "")
        if entry.get("method") in WRITES and path.startswith("/v5") and not path.startswith("/v5/auth"):
            out.append(f"{entry['method']} {path}")
    return out


@pytest.fixture
def devices(emulator):
    return [emulator.add_device()["id"] for _ in range(3)]


def test_lifecycle(emulator, tmp_path, devices):
    bench, more = devices[0], devices[1:]
    args = {"device_id": bench, "more_devices": more}

    emulator.clear_requests()
    changed, out = playbook(emulator, tmp_path, "present.yml", "--check", "--diff", **args)
    assert changed >= 7, out
    assert api_writes(emulator) == [], "check mode sent writes"

    changed, out = playbook(emulator, tmp_path, "present.yml", **args)
    assert changed == 7, out

    emulator.clear_requests()
    changed, out = playbook(emulator, tmp_path, "present.yml", **args)
    assert changed == 0, out
    assert api_writes(emulator) == []

    changed, out = playbook(emulator, tmp_path, "present.yml", "--check", **args)
    assert changed == 0, out

    changed, out = playbook(emulator, tmp_path, "log_tail.yml", **args)
    assert changed == 1, out
    # The one task that gives log_tail timeout without wait_timeout (the old meaning) gets the deprecation
    # (older ansible-core wraps it at 80 columns: compared with the whitespace folded).
    assert out.count("[DEPRECATION WARNING]") == 1, out
    assert "Use wait_timeout for the wait" in " ".join(out.split()), out

    emulator.clear_requests()
    changed, out = playbook(emulator, tmp_path, "absent.yml", "--check", **args)
    assert changed == 3, out
    assert api_writes(emulator) == []

    changed, out = playbook(emulator, tmp_path, "absent.yml", **args)
    assert changed == 3, out
    changed, out = playbook(emulator, tmp_path, "absent.yml", **args)
    assert changed == 0, out


def test_check_mode_predicts_a_whole_line(emulator, tmp_path, devices):
    """--check on an empty account: product, groups with targets, deployments and restart all predicted."""
    changed, out = playbook(emulator, tmp_path, "check_mode.yml", "--check", "--diff", predictions_expected=True)
    assert changed == 7, out
    assert api_writes(emulator) == [], "check mode sent writes"
    assert "[WARNING]" not in out, out  # predictions are notes in the result, not warnings

    changed, out = playbook(emulator, tmp_path, "check_mode.yml")
    assert changed == 7, out
    emulator.clear_requests()
    changed, out = playbook(emulator, tmp_path, "check_mode.yml", "--check")
    assert changed == 1, out  # only the restart, an action
    assert api_writes(emulator) == []


def test_a_setup_rerun_after_a_release_changes_nothing(emulator, tmp_path):
    """Issue 25: the setup's deployments use build_policy=initial, so re-running the setup after a release
    leaves production on the released build (it used to point it back at the setup's build: changed=2)."""
    changed, out = playbook(emulator, tmp_path, "setup_policy.yml")
    assert changed == 3, out  # the product, the groups, their first builds (a loop counts once)
    changed, out = playbook(emulator, tmp_path, "setup_policy.yml", phase="release")
    assert changed == 1, out
    emulator.clear_requests()
    changed, out = playbook(emulator, tmp_path, "setup_policy.yml")
    assert changed == 0, out
    assert api_writes(emulator) == []
    changed, out = playbook(emulator, tmp_path, "setup_policy.yml", "--check")
    assert changed == 0, out


def test_check_mode_fails_on_an_ambiguous_group_name_as_the_real_run(emulator, tmp_path):
    """Issue 25: check mode identifies too, so it fails where the real run would, and the message names the
    candidates and the ways to choose; with product the same task is fine in both modes."""
    changed, out = playbook(emulator, tmp_path, "ambiguous.yml", phase="setup")
    assert changed == 2, out
    emulator.clear_requests()
    for mode in (["--check"], []):
        done = subprocess.run(
            [
                str(BIN / "ansible-playbook"),
                "-i",
                "localhost,",
                "-c",
                "local",
                str(HERE / "ambiguous.yml"),
                "-e",
                json.dumps({"phase": "deploy", "ansible_python_interpreter": sys.executable}),
                *mode,
            ],
            env=dict(
                os.environ,
                IMPT_ENDPOINT=emulator.base_url,
                XDG_CACHE_HOME=str(tmp_path / "cache"),
                ANSIBLE_NOCOLOR="1",
                NO_PROXY="127.0.0.1,localhost",
            ),
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
            check=False,
        )
        assert done.returncode == 2, done.stdout[-3000:]
        assert 'Multiple Device Groups \\"Fleet dev\\" are found' in done.stdout, done.stdout[-3000:]
        assert 'Choose one with the product option (product: \\"Fleet A\\")' in done.stdout, done.stdout[-3000:]
        assert "{me}{Fleet A}{Fleet dev}" in done.stdout  # JSON output: the msg's quotes are escaped above
    assert api_writes(emulator) == []  # the real run failed at identification too, before any write
    changed, out = playbook(emulator, tmp_path, "ambiguous.yml", "--check", phase="deploy", scope="Fleet B")
    assert changed == 1, out
    changed, out = playbook(emulator, tmp_path, "ambiguous.yml", phase="deploy", scope="Fleet B")
    assert changed == 1, out
