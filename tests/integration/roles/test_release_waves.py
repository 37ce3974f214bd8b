"""release_promotion with waves against the emulator: 20 devices go through four waves, the plan and each
wave show in the play output, a build that fails verification is rolled back with a clear message, and
variables the rollout could not use fail the plan, naming them, before any write."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
import requests
from emulator_process import running_emulator
from playbook_env import playbook_env
from seeds.fleet import write

BIN = Path(sys.executable).parent

# Each test starts from its own (or the reset) emulator: pytest-xdist may spread them (tests/conftest.py).
pytestmark = pytest.mark.xdist_per_test
OLD = 'server.log("firmware 2.0 ready");'
NEW = 'server.log("firmware 2.1 ready");'
# Crashes on the devices whose id ends in 0 to 3 (5 of the 20, see device_id): a missing slot, a real runtime error.
BROKEN = """
local id = hardware.getdeviceid();
if ("0123".find(id.slice(id.len() - 1)) != null) {
    local settings = {};
    server.log("calibration " + settings.missing);
}
server.log("firmware 2.1 ready");
"""


def device_id(index: int) -> str:
    """Fixed ids, so that BROKEN crashes on exactly 5 of the 20 (last digits 0, 3, 2, 1, 0 at 0, 7, 10, 13,
    16): the seed's own ids depend on the seed file's path, and with 2 or fewer crashing devices (about one
    path in ten) the build stays under the 10 % threshold."""
    return f"0c2a69{index:09x}{'0123456789abcdef'[index * 5 % 16]}"


def seed(new_code: str) -> dict:
    from impcentral_emulator.seeds import ACCOUNTS

    return {
        "accounts": ACCOUNTS,
        "products": [{"name": "Fleet", "owner": "demo"}],
        "devicegroups": [
            {"name": "dev", "product": "Fleet", "type": "development"},
            {"name": "prod", "product": "Fleet", "type": "production"},
        ],
        "deployments": [
            {"devicegroup": "Fleet/prod", "device_code": OLD, "flagged": True},
            {"devicegroup": "Fleet/dev", "device_code": new_code, "tags": ["v2.1"]},
        ],
        "devices": [
            {"owner": "demo", "name": f"unit-{i:02d}", "id": device_id(i), "online": True, "devicegroup": "Fleet/prod"}
            for i in range(20)
        ],
    }


PLAY = """
- name: Release in waves
  hosts: localhost
  gather_facts: false
  roles:
    - role: electricimp.impcentral.release_promotion
      vars:
        release_promotion_device_group: prod
        release_promotion_product: Fleet
        release_promotion_source_device_group: dev
        release_promotion_restart: immediate
        release_promotion_canary:
          enabled: true
          device_group: canary
          waves: [1, "10%", "50%", "100%"]
          failure_threshold_percent: 10
          min_number_of_executed_things: 5
        release_promotion_verify:
          search_regex: 'firmware 2\\.1 ready'
          fail_regex: 'ERROR'
          timeout: 20
"""


def play(tmp_path: Path, new_code: str, *runs: dict) -> Iterator[subprocess.CompletedProcess]:
    """The play on one fresh emulator, once per dict of extra variables given (else once as written): each run's
    result, with ``writes``: the write requests the emulator logged so far."""
    path = tmp_path / "seed.json"
    write(path, seed(new_code))
    playbook = tmp_path / "release.yml"
    playbook.write_text(PLAY)
    with running_emulator("--seed", str(path), "--rate-limit", "off") as emu:
        env = playbook_env(emu.base_url, tmp_path)
        for extra in runs or ({},):
            done = subprocess.run(
                [str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
                + (["-e", json.dumps(extra)] if extra else []),
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                cwd=tmp_path,
                check=False,
            )
            log = requests.get(f"{emu.root_url}/_emulator/requests", timeout=10).json()["data"]
            done.writes = [e for e in log if e["method"] != "GET" and e["path"] != "/v5/auth"]
            yield done


def shown(done: subprocess.CompletedProcess) -> str:
    """The play's output as read: ansible-core < 2.19 prints a failed task's result as JSON (quotes escaped)."""
    return (done.stdout + done.stderr).replace('\\"', '"')


def test_bad_rollout_variables_fail_at_the_plan_naming_them_before_any_write(tmp_path):
    canary = {"enabled": True, "device_group": "canary", "waves": [1, "50%"]}
    numbers = {"pause": float("inf"), "failure_threshold_percent": 150, "min_number_of_executed_things": 0}
    runs = [
        {"release_promotion_canary": dict(canary, **numbers)},
        {"release_promotion_verify": {"search_regex": "(", "timeout": 20}, "release_promotion_canary": canary},
        # release_rollout's rules for waves (its DOCUMENTATION): counts >= 1 or percentages in (0, 100], growing.
        {"release_promotion_canary": dict(canary, waves=["50%", "10%", 0, "abc", True, 2, "100%", 3])},
    ]
    bad_numbers, bad_regex, bad_waves = play(tmp_path, NEW, *runs)
    output = shown(bad_numbers)
    assert bad_numbers.returncode != 0
    for message in (
        'release_promotion_canary.pause must be a number of seconds from 0 to 86400, not "inf".',
        'release_promotion_canary.failure_threshold_percent must be a number from 0 to 100, not "150".',
        'release_promotion_canary.min_number_of_executed_things must be 1 or more, not "0".',
    ):
        assert message in output, output[-4000:]
    output = shown(bad_regex)
    assert bad_regex.returncode != 0
    assert "release_promotion_verify.search_regex is not a valid Python regular expression" in output, output[-4000:]
    output = shown(bad_waves)
    assert bad_waves.returncode != 0
    assert (
        'release_promotion_canary.waves must be counts (1) or percentages above 0% up to "100%", each more than the '
        'earlier one of its kind and none after "100%"; not "10%", "0", "abc", "True", "3".'
    ) in output, output[-4000:]
    assert bad_waves.writes == []  # over all runs: no group created, nothing deployed, nothing moved


def test_a_good_build_goes_through_every_wave(tmp_path):
    [done] = play(tmp_path, NEW)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    for wave in ("Wave 1: move 1 device(s)", "Wave 2: move 1 device(s)", "Wave 3: move 8", "Wave 4: move 10"):
        assert wave in output
    assert "Waves 1, 10%, 50%, 100%" in output


def test_a_failing_build_aborts_and_rolls_back_every_wave_with_a_clear_message(tmp_path):
    [done] = play(tmp_path, BROKEN)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert re.search(
        r"Rollout aborted: \d+ of \d+ verified device\(s\) failed \(\d+%, over the 10% threshold\)", output
    ), output[-6000:]
    assert "every wave rolled back" in output
    assert "One or more items failed" not in output
    assert "FAILED logged /ERROR/: ERROR: the index 'missing' does not exist" in output
