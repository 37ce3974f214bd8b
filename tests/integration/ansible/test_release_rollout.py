"""Staged rollouts against the emulator, whose devices run their Squirrel: 20 devices of a production group move in
waves to a canary group.

A good build goes through every wave; a release where some devices fail verification aborts at the threshold and
every wave is rolled back; a re-run after an interrupted release judges each device only on what its new build
logged (issue 21: the previous build's ERROR lines are in every device's history); a device that logs nothing
after its move is unverified, never passed on an older line; what the API refuses is found before any write.
The rollout runs in-process through ``run_rollout`` with a real client; tests/integration/ansible/
test_release_rollout_cancel.py runs it through ansible-playbook."""

from __future__ import annotations

import time

import pytest
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
from seeds.release import SEARCH, SILENT, release

DEVICES = 20


class Interrupted(BaseException):
    """The first run's controller dies right after a write (nothing else is sent)."""


def settings(**changes) -> RolloutSettings:
    values = dict(
        target="prod",
        canary="canary",
        waves=[1, "10%", "50%", "100%"],
        search_regex=SEARCH,  # no version: the previous build's "firmware 2.0 ready" matches too
        fail_regex="ERROR",  # the previous build logs "ERROR: sensor calibration drift (2.0)" at boot
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


def run(tmp_path, document):
    """The emulator on ``document``, once every device has booted the previous build (a fleet that was running:
    each logs its two lines, which a rollout started at once could otherwise see arrive after its move)."""
    path = tmp_path / "seed.json"
    write(path, document)
    with running_emulator("--seed", str(path), "--rate-limit", "off") as emu:
        expected = 2 * len(document["devices"])
        deadline = time.monotonic() + 60
        while requests.get(f"{emu.root_url}/_emulator/runtime", timeout=10).json()["data"]["code_lines"] < expected:
            assert time.monotonic() < deadline, "the devices did not boot the previous build"
            time.sleep(0.1)
        yield emu, client_for(emu)


def history(client, device: str) -> list:
    return [entry["msg"] for entry in client.devices.logs(device, page_size=100)]


def test_a_good_build_goes_through_every_wave_showing_progress_as_it_goes(tmp_path):
    for _emu, client in run(tmp_path, release(DEVICES)):
        shown: list = []
        result = run_rollout(client, settings(), progress=shown.append, round_interval=0.5)
        assert not result.get("failed"), result
        assert [len(w["devices"]) for w in result["waves"]] == [1, 1, 8, 10]
        assert len(result["plan"]) == 4 and all(v["ok"] for v in result["verdicts"])
        assert {v["line"]["msg"] for v in result["verdicts"]} == {"firmware 2.1 ready"}
        assert all(v["name"].startswith("unit-") and v["window_start"] for v in result["verdicts"])
        assert len(members(client, "canary")) == DEVICES and members(client, "prod") == set()
        # names beside ids, each wave's start, the move, the counts and the decision, in order
        assert shown[0].startswith("Rollout of build ") and '"prod" (' in shown[0]
        assert shown[1] == 'Wave 1: move 1 device(s) of "prod" to "canary" (1 of 20, 5%)'
        wave = [line for line in shown if line.startswith("Wave 3 of 4")]
        assert wave[0].startswith('Wave 3 of 4: moving 8 device(s) from "prod" (') and "unit-" in wave[0]
        assert wave[-2:] == ["Wave 3 of 4: 8 passed, 0 failed, 0 unverified, 0 offline", wave[-1]]
        assert wave[-1].startswith("Wave 3 of 4: continue (0 of 10 verified device(s) failed")
        assert shown[-1].startswith('Rollout done: 20 device(s) in "canary" (')


def test_failing_devices_abort_at_the_threshold_and_every_wave_is_rolled_back(tmp_path):
    for emu, client in run(tmp_path, release(DEVICES)):
        ids = sorted(d["id"] for d in client.devices.list())
        for device in ids[5:8]:  # in the third wave (devices 3 to 10 in the rollout's order)
            requests.patch(f"{emu.root_url}/_emulator/devices/{device}", json={"online": False}, timeout=10)
        before = members(client, "prod")
        criteria = AbortCriteria(failure_threshold_percent=10, min_number_of_executed_things=5)
        result = run_rollout(client, settings(criteria=criteria, timeout=4), round_interval=0.5)
        assert result["failed"] and result["aborted"] and result["rolled_back"]
        assert "over the 10% threshold" in result["abort_reason"]
        assert len(result["waves"]) == 3  # the 50% wave holds the offline devices: no fourth wave
        offline = [v for v in result["verdicts"] if v["state"] == "offline"]
        assert {v["device_id"] for v in offline} == set(ids[5:8])
        assert all("not seen running the build" in v["evidence"] for v in offline)
        assert members(client, "prod") == before and members(client, "canary") == set()


def test_a_re_run_after_an_interruption_judges_devices_only_on_their_new_builds_lines(tmp_path):
    """Issue 21's case: the previous build left ERROR lines in every history; the first run is interrupted
    after moving 10 devices; the re-run (threshold 0) must complete, each device passed on a 2.1 line."""
    for _emu, client in run(tmp_path, release(DEVICES)):
        moves: list = []

        def interrupt(kind, detail, moves=moves):
            moves.extend(detail if kind == "move" else [])
            if len(moves) == 10:
                raise Interrupted

        with pytest.raises(Interrupted):
            run_rollout(client, settings(restart="none"), after_write=interrupt, round_interval=0.5)
        moved = members(client, "canary")
        assert moved == set(moves)
        # The trap is real: each moved device's history holds the previous build's lines after the canary build
        # was made (the devices booted the previous build when the emulator started, after seeding).
        assert all("ERROR: sensor calibration drift (2.0)" in history(client, d) for d in moved)

        result = run_rollout(client_for(_emu), settings(), round_interval=0.5)  # another controller
        assert not result.get("failed"), result
        assert result["waves"][0]["rechecked"] == sorted(moved) and result["waves"][0]["devices"] == []
        assert [len(w["devices"]) for w in result["waves"][1:]] == [10]
        assert len(result["verdicts"]) == DEVICES
        assert {v["line"]["msg"] for v in result["verdicts"]} == {"firmware 2.1 ready"}
        assert len(members(client, "canary")) == DEVICES


def test_a_device_that_logs_nothing_after_its_move_is_unverified_never_passed_on_an_older_line(tmp_path):
    for _emu, client in run(tmp_path, release(DEVICES, new=SILENT)):
        result = run_rollout(client, settings(timeout=2), round_interval=0.5)
        assert result["failed"] and result["aborted"] and result["rolled_back"]
        [verdict] = result["verdicts"]  # wave 1: one device, unverified: the threshold (0) aborts
        assert verdict["state"] == "unverified" and not verdict["ok"] and verdict["window_start"]
        assert verdict["evidence"].startswith("unverified: no line matched /firmware .* ready/ since it began")
        assert "firmware 2.0 ready" in history(client, verdict["device_id"])  # the older line it was not passed on


def test_what_cannot_run_is_refused_before_any_write(tmp_path):
    for emu, client in run(tmp_path, release(4)):
        product = identify.one(client, "product", "Fleet")
        client.device_groups.create("production", "empty", product["id"])
        requests.delete(f"{emu.root_url}/_emulator/requests", timeout=10)
        cases = [
            (settings(canary="prod"), "canary_device_group must be another device group than device_group"),
            (settings(canary="empty"), 'canary_device_group "empty" ('),
            (settings(criteria=AbortCriteria(0, 5)), "min_number_of_executed_things is 5, but the rollout covers 4"),
        ]
        for bad, message in cases:
            result = run_rollout(client, bad)
            assert result["failed"] and not result["changed"] and result["msg"].startswith(message), result
        log = requests.get(f"{emu.root_url}/_emulator/requests", timeout=10).json()["data"]
        assert [e for e in log if e["method"] != "GET"] == []
