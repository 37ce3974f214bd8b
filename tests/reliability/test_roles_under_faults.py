"""The roles against an emulator that answers 20 % 429/503 and resets 5 % of connections.

One emulator process (its own `--db`) for the whole flow, in order: release candidates (faults off),
factory_setup.yml under faults, the assembly line blesses devices (admin API), release_promotion.yml under
faults, then each playbook's next run under faults, factory_setup.yml last (it must not roll the release
back). Every run under faults has no failed task; the repeat runs report changed=0 and leave the state as it
was; no run leaves a duplicate product, group, deployment or webhook. The modules may retry a request up to 8
times here (IMPCENTRAL_MAX_RETRIES): with one answer in four failing, 5 retries would still lose about one
request in 4,000, a few per play of this size.
"""

from __future__ import annotations

import re

import pytest
import requests
from emulator_process import start_emulator
from relsuite import PLAYBOOKS, ansible_env, duplicates, list_all, playbook, state_by_name, token, writes

TARGET = "400 US SKU Production"
FAULTS = {"status_rates": {"429": 0.1, "503": 0.1}, "reset_rate": 0.05, "latency_ms": 0, "seed": 7}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    emulator = start_emulator("--seed", "demo", "--rate-limit", "off", "--db", str(tmp / "state.db"))
    try:
        yield emulator, tmp
    finally:
        emulator.stop()


def faults(emulator, on: bool) -> None:
    url = f"{emulator.root_url}/_emulator/faults"
    (requests.put(url, json=FAULTS, timeout=10) if on else requests.delete(url, timeout=10)).raise_for_status()


def under_faults(emulator, env, name: str):
    """One run of the playbook with faults on: it must not fail, nor leave a duplicate."""
    faults(emulator, True)
    try:
        run = playbook(PLAYBOOKS / name, env)
    finally:
        faults(emulator, False)
    assert "Traceback" not in run.text, run.tail()
    assert run.code == 0 and run.failed == 0, run.tail()
    assert duplicates(state_by_name(emulator.base_url)) == {}, run.tail()
    return run


def unchanged(emulator, env, name: str):
    """The next run, faults on: no failure, changed=0, the same state."""
    before = state_by_name(emulator.base_url)
    again = under_faults(emulator, env, name)
    assert again.changed == 0, again.tail()
    assert state_by_name(emulator.base_url) == before
    return again


def test_roles_converge_under_faults(faulty):
    emulator, tmp = faulty
    env = dict(ansible_env(emulator.base_url, tmp), IMPCENTRAL_MAX_RETRIES="8")
    prepared = playbook(PLAYBOOKS / "demo_release_candidates.yml", env)
    assert prepared.code == 0, prepared.tail()

    under_faults(emulator, env, "factory_setup.yml")
    state = state_by_name(emulator.base_url)
    assert state["devicegroups"]["Connected Meter 400/400 US SKU Production"] == 1
    assert state["devicegroups"]["Connected Meter 400/Line Fixtures"] == 1
    assert sum(1 for key in state["webhooks"] if key[0] == "Connected Meter 400/400 US SKU Production") == 2
    unchanged(emulator, env, "factory_setup.yml")

    # The assembly line: every unassigned device but the fixtures is factory-BlinkUp'd (it becomes a device
    # under test) and then blessed through the line fixture.
    admin = f"{emulator.root_url}/_emulator"
    listed = list_all(emulator.base_url, token(emulator.base_url), "devices")
    devices = {d["attributes"]["name"]: d["id"] for d in listed}
    for name in ("sensor-1", "sensor-2", "sensor-3", "tracker-1"):
        for step in ("blinkup", "bless"):
            requests.post(
                f"{admin}/devices/{devices[name]}/{step}", json={"fixture": devices["fixture-1"]}, timeout=10
            ).raise_for_status()

    under_faults(emulator, env, "release_promotion.yml")
    state = state_by_name(emulator.base_url)
    assert state["devicegroups"]["Connected Meter 400/400 2.0 Field Test Production"] == 1
    promoted = [key for key in state["deployments"] if key[0] == "Connected Meter 400/400 US SKU Production"]
    assert any("2.0" in key[1] for key in promoted), promoted

    unchanged(emulator, env, "release_promotion.yml")

    # The factory lead re-runs the setup after the release (to add a fixture or a webhook): no rollback, the
    # production group keeps the 2.0 build and the play says so; --check first predicts just that, writing nothing.
    requests.delete(f"{admin}/requests", timeout=10).raise_for_status()
    checked = playbook(PLAYBOOKS / "factory_setup.yml", env, "--check")
    assert checked.code == 0 and checked.changed == 0, checked.tail()
    log = requests.get(f"{admin}/requests", timeout=10)
    log.raise_for_status()
    assert writes(log.json()["data"]) == [], checked.tail()
    again = unchanged(emulator, env, "factory_setup.yml")
    assert re.search(r'400 US SKU Production\\?" keeps its running build \w+ \(v2\.0', again.text), again.tail()
    tok = token(emulator.base_url)
    (group,) = [g for g in list_all(emulator.base_url, tok, "devicegroups") if g["attributes"]["name"] == TARGET]
    current = group["relationships"]["current_deployment"]["id"]
    running = requests.get(
        f"{emulator.base_url}/deployments/{current}", headers={"Authorization": f"Bearer {tok}"}, timeout=10
    )
    running.raise_for_status()
    assert "v2.0" in running.json()["data"]["attributes"]["tags"], running.json()
