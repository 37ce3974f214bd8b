"""Crash points of a staged rollout: the controller dies right after each write, a fresh controller re-runs it.

A 3-wave, 6-device rollout (waves [2, 4, 6], immediate restarts) makes nine writes when the build is good
(per wave: the move, then a restart per device) and six when every device fails (wave 1's move and restarts,
then the rollback's move and a restart per device). For every write position the run is killed right after
that write (an exception from ``after_write`` that nothing catches: nothing else is sent, as when the process
dies), then re-run with a new client and no state but impCentral's. The end state must be the release's:
every device on the right build, and no verdict taken from a line logged before the device ran the build.

Faithfulness: the rollout runs in-process against a real emulator process (execution off: devices log the
literal strings of their code, which is all verification reads), so the writes, the devices' boots and the
log lines are the real ones; only the process death is modelled. tests/integration/ansible/
test_release_rollout_cancel.py kills real ansible-playbook processes.
"""

from __future__ import annotations

import time

import pytest
import requests
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import rel_id
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import (
    RolloutSettings,
    run_rollout,
)
from emulator_process import running_emulator
from seeds.fleet import write
from seeds.release import BROKEN, SEARCH, STALE, release

WAVE = ["move", "restart", "restart"]  # waves of two devices, restart: immediate
GOOD = WAVE * 3
ABORTED = WAVE + ["rollback move", "rollback restart", "rollback restart"]  # wave 1 fails, threshold 0
POSITIONS = [("good", k) for k in range(1, len(GOOD) + 1)] + [("broken", k) for k in range(1, len(ABORTED) + 1)]


RESTART = 1.1  # seconds a new controller takes at least before its first request


class Killed(BaseException):
    """The controller's death right after a write: no ``except Exception`` stops it, nothing more is sent."""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("crash") / "seed.json"
    write(path, release(6))
    with running_emulator("--seed", str(path), "--rate-limit", "off", "--exec", "off") as emu:
        yield emu


def connect(emu) -> ImpCentralClient:
    client = ImpCentralClient(emu.base_url)
    client.login("demo", "demo-password")
    return client


def settings() -> RolloutSettings:
    return RolloutSettings(
        target="prod",
        canary="canary",
        waves=[2, 4, 6],
        search_regex=SEARCH,  # matches the previous build's "firmware 2.0 ready" too
        fail_regex="ERROR",  # and its "ERROR: sensor calibration drift (2.0)"
        timeout=10,
        restart="immediate",
        history_rate=40,
    )


def rollout(client, after_write=None) -> dict:
    return run_rollout(client, settings(), after_write=after_write, round_interval=0.1)


def prepare(emu, build: str) -> dict:
    """Back to the seed; the broken build deployed to the canary group when asked; every device's history holds
    the previous build's lines, logged after the canary's build was made. Group ids by name."""
    requests.post(f"{emu.root_url}/_emulator/reset", timeout=10).raise_for_status()
    client = connect(emu)
    groups = {name: identify.one(client, "device_group", name) for name in ("prod", "canary")}
    if build == "broken":
        client.deployments.create(groups["canary"]["id"], device_code=BROKEN)
    for device in client.devices.list(device_group=groups["prod"]["id"]):
        answer = requests.post(
            f"{emu.root_url}/_emulator/devices/{device['id']}/logs", json={"lines": STALE}, timeout=10
        )
        answer.raise_for_status()
    return {name: client.device_groups.get(group["id"]) for name, group in groups.items()}


def running(emu, devices: set) -> set:
    """The deployments the devices run (the emulator's admin view), once their last boot is done: a device
    boots on the emulator's loop shortly after the move or restart that caused it."""
    deadline = time.monotonic() + 10
    while True:
        found = {
            requests.get(f"{emu.root_url}/_emulator/devices/{d}", timeout=10).json()["data"]["meta"][
                "running_deployment_id"
            ]
            for d in devices
        }
        if len(found) == 1 or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.mark.parametrize(("build", "position"), POSITIONS, ids=[f"{b}-{k}" for b, k in POSITIONS])
def test_killed_right_after_a_write_then_re_run(server, build, position):
    groups = prepare(server, build)
    expected = GOOD if build == "good" else ABORTED
    writes: list = []

    def die_after(kind, _detail):
        writes.append(kind)
        if len(writes) == position:
            raise Killed

    with pytest.raises(Killed):
        rollout(connect(server), die_after)
    assert writes == expected[:position]  # the writes, in the order the plan makes them

    # Another controller, which takes more than a second to start (a new ansible-playbook process): impCentral's
    # state is all it has. By then the boots the dead run caused are logged (see docs/docsite/rst/roles.rst,
    # evidence window).
    time.sleep(RESTART)
    client = connect(server)
    result = rollout(client)
    members = {name: {d["id"] for d in client.devices.list(device_group=g["id"])} for name, g in groups.items()}
    build_of = {name: rel_id(g, "current_deployment") for name, g in groups.items()}
    verdicts = result["verdicts"]
    if build == "good":
        assert not result.get("failed"), result
        assert len(members["canary"]) == 6 and not members["prod"]
        assert running(server, members["canary"]) == {build_of["canary"]}
        assert {v["device_id"] for v in verdicts} == members["canary"]
        # every device passed on its new build's line, logged after the boot that started its window
        assert {v["line"]["msg"] for v in verdicts} == {"firmware 2.1 ready"}
        assert all(v["ok"] and v["line"]["ts"] >= v["window_start"] for v in verdicts)  # same ms: same boot
    else:
        assert result["failed"] and result["aborted"] and result["rolled_back"], result
        assert len(members["prod"]) == 6 and not members["canary"]
        assert running(server, members["prod"]) == {build_of["prod"]}
        failed = [v for v in verdicts if not v["ok"]]
        assert failed and all(v["state"] == "failed" for v in failed)
        # failed on the broken build's own error, never on the previous build's "(2.0)" line
        assert {v["line"]["msg"] for v in failed} == {"ERROR: the index 'calibration' does not exist (2.1)"}
