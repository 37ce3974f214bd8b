"""Staged rollouts against the emulator: 20 devices of a production group move in waves to a canary group.

A good build goes through every wave; a release where some devices fail verification aborts at the threshold
and every wave is rolled back; a re-run after a controller stopped half way (devices already in the canary
group) finishes the release. The rollout runs in-process through ``run_rollout`` with a real client."""

from __future__ import annotations

import subprocess
import sys
import time

import requests
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import (
    AbortCriteria,
    RolloutSettings,
    run_rollout,
)
from emulator_process import running_emulator
from seeds.fleet import write

DEVICES = 20
OLD = 'server.log("firmware 2.0 ready");'
NEW = 'server.log("firmware 2.1 ready");'


def seed() -> dict:
    from impcentral_emulator.seeds import ACCOUNTS

    return {
        "accounts": ACCOUNTS,
        "products": [{"name": "Fleet", "owner": "demo"}],
        "devicegroups": [
            {"name": "prod", "product": "Fleet", "type": "production"},
            {"name": "canary", "product": "Fleet", "type": "production"},
        ],
        "deployments": [
            {"devicegroup": "Fleet/prod", "device_code": OLD, "flagged": True},
            {"devicegroup": "Fleet/canary", "device_code": NEW},
        ],
        "devices": [
            {"owner": "demo", "name": f"unit-{i:02d}", "online": True, "devicegroup": "Fleet/prod"}
            for i in range(DEVICES)
        ],
    }


def settings(**changes) -> RolloutSettings:
    values = dict(
        target="prod",
        canary="canary",
        waves=[1, "10%", "50%", "100%"],
        search_regex=r"firmware 2\.1 ready",
        fail_regex="ERROR",
        timeout=20,
        restart="immediate",
        history_rate=40,
    )
    values.update(changes)
    return RolloutSettings(**values)


def client_for(emu) -> ImpCentralClient:
    client = ImpCentralClient(emu.base_url)
    client.login("demo", "demo-password")
    return client


def members(client, group: str) -> set:
    found = identify.one(client, "device_group", group)
    return {d["id"] for d in client.devices.list(device_group=found["id"])}


def run(tmp_path, document, **changes):
    path = tmp_path / "seed.json"
    write(path, document)
    with running_emulator("--seed", str(path), "--rate-limit", "off") as emu:
        client = client_for(emu)
        yield emu, client


def test_a_good_build_goes_through_every_wave(tmp_path):
    for _emu, client in run(tmp_path, seed()):
        result = run_rollout(client, settings())
        assert not result.get("failed"), result
        assert [len(w["devices"]) for w in result["waves"]] == [1, 1, 8, 10]
        assert len(result["plan"]) == 4 and all(v["ok"] for v in result["verdicts"])
        assert len(members(client, "canary")) == DEVICES and members(client, "prod") == set()


def test_failing_devices_abort_at_the_threshold_and_every_wave_is_rolled_back(tmp_path):
    for emu, client in run(tmp_path, seed()):
        ids = sorted(d["id"] for d in client.devices.list())
        for device in ids[5:8]:  # in the third wave (devices 3 to 10 in the rollout's order)
            requests.patch(f"{emu.root_url}/_emulator/devices/{device}", json={"online": False}, timeout=10)
        before = members(client, "prod")
        criteria = AbortCriteria(failure_threshold_percent=10, min_number_of_executed_things=5)
        result = run_rollout(client, settings(criteria=criteria, timeout=8))
        assert result["failed"] and result["aborted"] and result["rolled_back"]
        assert "over the 10% threshold" in result["abort_reason"]
        assert len(result["waves"]) == 3  # the 50% wave holds the offline devices: no fourth wave
        assert any("offline after the restart" in line for line in result["evidence"])
        assert members(client, "prod") == before and members(client, "canary") == set()


def test_a_rerun_after_the_controller_stopped_half_way_finishes_the_release(tmp_path):
    for emu, client in run(tmp_path, seed()):
        ids = sorted(d["id"] for d in client.devices.list())
        canary = identify.one(client, "device_group", "canary")["id"]
        client.device_groups.add_devices(canary, ids[:10])  # what the first run did before it died
        requests.delete(f"{emu.root_url}/_emulator/requests", timeout=10)
        result = run_rollout(client, settings())
        assert not result.get("failed"), result
        assert result["waves"][0]["rechecked"] == ids[:10] and result["waves"][0]["devices"] == []
        assert [len(w["devices"]) for w in result["waves"][1:]] == [10]
        assert len(members(client, "canary")) == DEVICES


CONTROLLER = """
import sys
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import run_rollout
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import RolloutSettings

client = ImpCentralClient(sys.argv[1])
client.login("demo", "demo-password")
settings = RolloutSettings(target="prod", canary="canary", waves=[1, "10%", "50%", "100%"],
                           search_regex=r"firmware 2\\.1 ready", timeout=20, pause=30, restart="immediate")
run_rollout(client, settings)
"""


def test_killing_the_controller_mid_way_and_re_running_finishes_the_release(tmp_path):
    for emu, client in run(tmp_path, seed()):
        controller = subprocess.Popen([sys.executable, "-c", CONTROLLER, emu.base_url])
        deadline = time.monotonic() + 60
        while len(members(client, "canary")) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # inside the first wave's verification or the 30 s pause after it
        controller.kill()
        controller.wait(10)
        moved = members(client, "canary")
        assert 1 <= len(moved) < DEVICES
        result = run_rollout(client, settings())
        assert not result.get("failed"), result
        assert set(result["waves"][0]["rechecked"]) == moved
        assert len(members(client, "canary")) == DEVICES and members(client, "prod") == set()
