"""Cancelling a release job as CI systems and AWX do: SIGINT, SIGTERM or SIGKILL to ``ansible-playbook`` while
release_rollout runs, and the task's own ``timeout``. ansible-core's worker calls ``setsid()``, so it gets no
terminal signal and outlives a killed ``ansible-playbook``: the action must notice by itself.

Real processes against the emulator. The emulator's request log (its clock is this machine's) shows every
write: none may come later than 2 seconds after the signal (issue 21). The signal is sent while writes are slow
(the emulator's ``latency_ms`` fault), so it lands with a write on the wire, which must then finish (its answer is
read) while the next is never started. A re-run then finishes the release. The worker must end too.

Note: on SIGINT and SIGTERM ansible-playbook forwards the signal to its workers (ansible-core >= 2.19); earlier
releases terminate them at shutdown. Either way the action takes the signal as a cancel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import requests
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import (
    RolloutSettings,
    run_rollout,
)
from emulator_process import running_emulator
from playbook_env import playbook_env
from seeds.fleet import write
from seeds.release import SEARCH, release

BIN = Path(sys.executable).parent
GRACE = 2.0  # seconds after the signal within which the last write must have been made (issue 21)
LATENCY_MS = 600
PLAY = """
- name: Release in waves
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Waves
      electricimp.impcentral.release_rollout:
        device_group: prod
        canary_device_group: canary
        waves: [2, 4, 6]
        search_regex: '%s'
        fail_regex: ERROR
        verify_timeout: 20
        pause: %d
        restart: immediate
      timeout: %d
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("cancel") / "seed.json"
    write(path, release(6))
    with running_emulator("--seed", str(path), "--rate-limit", "off", "--exec", "off") as emu:
        yield emu


def admin(emu, method: str, path: str, body=None):
    answer = requests.request(method, f"{emu.root_url}/_emulator/{path}", json=body, timeout=10)
    answer.raise_for_status()
    return answer.json() if answer.content else None


def writes(emu) -> list:
    """Every write of the request log with its time (epoch seconds), oldest first."""
    out = []
    for entry in admin(emu, "GET", "requests")["data"]:
        if entry["method"] != "GET" and entry["path"] != "/v5/auth":
            moment = datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
            out.append(dict(entry, at=moment))
    return out


def playbook(emu, tmp_path: Path, *, pause: int = 3, timeout: int = 0) -> subprocess.Popen:
    path = tmp_path / "release.yml"
    path.write_text(PLAY % (SEARCH, pause, timeout))
    env = playbook_env(emu.base_url, tmp_path)
    command = [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(path)]
    # A session of its own, as a CI job's: signals reach only the process they are sent to.
    return subprocess.Popen(
        command,
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def children(pid: int) -> list:
    """Live child processes of ``pid`` (ansible-playbook's workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def moved(emu) -> bool:
    return any(e["path"].endswith("/relationships/devices") for e in writes(emu))


def in_canary(emu) -> set:
    client = ImpCentralClient(emu.base_url)
    client.login("demo", "demo-password")
    canary = identify.one(client, "device_group", "canary")
    return {d["id"] for d in client.devices.list(device_group=canary["id"])}


def reads_of(emu, path: str) -> int:
    return len([e for e in admin(emu, "GET", "requests")["data"] if e["method"] == "GET" and e["path"] == path])


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_a_cancelled_job_finishes_the_write_on_the_wire_starts_no_other_and_a_re_run_finishes(server, tmp_path, sig):
    admin(server, "POST", "reset")
    admin(server, "PUT", "faults", {"latency_ms": LATENCY_MS})  # every request takes this long
    job = playbook(server, tmp_path)
    workers: list = []
    try:
        # The rollout lists the target group's devices, then the canary group's, then moves wave 1: the move is
        # on the wire from the moment the second listing is answered.
        wait_for(lambda: reads_of(server, "/v5/devices") >= 2 or job.poll() is not None, 60, "no listing")
        workers = children(job.pid)
        time.sleep(LATENCY_MS / 2000)
        signalled = time.time()
        os.kill(job.pid, sig)
        output = job.communicate(timeout=60)[0]
        # The worker (a session of its own) must end too, not go on as an orphan.
        wait_for(lambda: not any(alive(w) for w in workers), 10, "the worker outlived ansible-playbook")
        time.sleep(GRACE + 0.5)
        admin(server, "DELETE", "faults")
        late = [w for w in writes(server) if w["at"] > signalled + GRACE]
        assert not late, late
        after = [w for w in writes(server) if w["at"] > signalled]
        # The move on the wire finished with its answer read; the restarts after it were never sent.
        assert [(w["method"], w["path"].endswith("/relationships/devices"), w["status"]) for w in after] == [
            ("POST", True, 204)
        ], after
        assert len(in_canary(server)) == 2
        if sig != signal.SIGKILL:  # the lines shown as it ran, names beside ids
            assert 'Wave 1 of 3: moving 2 device(s) from "prod"' in output and "unit-0" in output, output
    finally:
        for pid in [job.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        job.wait(10)
    if sig == signal.SIGKILL:  # the re-run as the job would do it: ansible-playbook again
        again = playbook(server, tmp_path, pause=0)
        output = again.communicate(timeout=120)[0]
        assert again.returncode == 0, output[-4000:]
        assert 'already in "canary"' in output and "verified again" in output
    else:
        client = ImpCentralClient(server.base_url)
        client.login("demo", "demo-password")
        settings = RolloutSettings("prod", "canary", [2, 4, 6], SEARCH, "ERROR", timeout=20, restart="immediate")
        result = run_rollout(client, settings, round_interval=0.1)
        assert not result.get("failed"), result
    assert len(in_canary(server)) == 6


def test_the_tasks_own_timeout_stops_the_rollout_between_two_writes(server, tmp_path):
    admin(server, "POST", "reset")
    job = playbook(server, tmp_path, pause=60, timeout=4)  # the timeout comes during the pause after wave 1
    output = job.communicate(timeout=120)[0]
    stopped = time.time()
    assert job.returncode != 0
    assert "Rollout stopped: the task's timeout passed (SIGALRM)" in output, output[-4000:]
    assert "Run the task again to resume." in output
    time.sleep(GRACE)
    assert all(w["at"] <= stopped for w in writes(server))
    assert len(in_canary(server)) == 2
