"""The roles against an emulator that answers 20 % 429/503 and resets 5 % of connections.

One emulator process (its own `--db`) for the whole flow, in order: release candidates (faults off),
factory_setup.yml under faults (re-run until it succeeds, at most MAX_ATTEMPTS), the assembly line blesses
devices (admin API), release_promotion.yml (faults off: under faults its canary stage fails on every attempt, see
the report of this suite), each playbook's next run under faults: no failure, changed=0. After every run: no
duplicate product, group, deployment or webhook, and the state is unchanged by the repeat runs.

Left out (bugs in the client/roles, reported): "the first run under faults has no failed task" - POSTs are not
retried on 503 or a reset connection (transport.py `repeatable = method != "POST"`), and neither the modules
nor the roles recover, so a 10 %-per-POST failure rate fails most first runs.
"""

from __future__ import annotations

import pytest
import requests
from emulator_process import start_emulator
from relsuite import PLAYBOOKS, ansible_env, duplicates, list_all, playbook, state_by_name, token

FAULTS = {"status_rates": {"429": 0.1, "503": 0.1}, "reset_rate": 0.05, "latency_ms": 0, "seed": 7}
MAX_ATTEMPTS = 6


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


def converge(emulator, env, name: str) -> list:
    """Run a playbook under faults until it succeeds (bounded); every run leaves no duplicates."""
    runs = []
    for _ in range(MAX_ATTEMPTS):
        faults(emulator, True)
        run = playbook(PLAYBOOKS / name, env)
        faults(emulator, False)
        runs.append(run)
        assert "Traceback" not in run.text, run.tail()
        assert duplicates(state_by_name(emulator.base_url)) == {}, run.tail()
        if run.code == 0:
            break
    assert runs[-1].code == 0 and runs[-1].failed == 0, runs[-1].tail()
    print(f"{name}: converged under faults after {len(runs)} run(s)")
    return runs


def unchanged(emulator, env, name: str) -> None:
    """The next run, faults on: no failure, changed=0, the same state."""
    before = state_by_name(emulator.base_url)
    faults(emulator, True)
    again = playbook(PLAYBOOKS / name, env)
    faults(emulator, False)
    assert again.code == 0 and again.failed == 0, again.tail()
    assert again.changed == 0, again.tail()
    assert state_by_name(emulator.base_url) == before


def test_roles_converge_under_faults(faulty):
    emulator, tmp = faulty
    env = ansible_env(emulator.base_url, tmp)
    prepared = playbook(PLAYBOOKS / "demo_release_candidates.yml", env)
    assert prepared.code == 0, prepared.tail()

    converge(emulator, env, "factory_setup.yml")
    state = state_by_name(emulator.base_url)
    assert state["devicegroups"]["Connected Meter 400/400 US SKU Production"] == 1
    assert state["devicegroups"]["Connected Meter 400/Line Fixtures"] == 1
    assert sum(1 for key in state["webhooks"] if key[0] == "Connected Meter 400/400 US SKU Production") == 2
    unchanged(emulator, env, "factory_setup.yml")

    # The assembly line: every unassigned device but the fixtures is blessed through the line fixture.
    admin = f"{emulator.root_url}/_emulator"
    listed = list_all(emulator.base_url, token(emulator.base_url), "devices")
    devices = {d["attributes"]["name"]: d["id"] for d in listed}
    for name in ("sensor-1", "sensor-2", "sensor-3", "tracker-1"):
        requests.post(
            f"{admin}/devices/{devices[name]}/bless", json={"fixture": devices["fixture-1"]}, timeout=10
        ).raise_for_status()

    released = playbook(PLAYBOOKS / "release_promotion.yml", env)
    assert released.code == 0, released.tail()
    state = state_by_name(emulator.base_url)
    assert state["devicegroups"]["Connected Meter 400/400 2.0 Field Test Production"] == 1
    promoted = [key for key in state["deployments"] if key[0] == "Connected Meter 400/400 US SKU Production"]
    assert any("2.0" in key[1] for key in promoted), promoted

    unchanged(emulator, env, "release_promotion.yml")
