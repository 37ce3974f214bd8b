"""The roles against the emulator: `molecule test` for each scenario, and a canary that rolls back.

The molecule scenarios (molecule/<name>) run without containers; here the session emulator
(reset to the demo seed) is passed to them as IMPT_ENDPOINT, so their create.yml starts none.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent

# Each test starts from its own (or the reset) emulator: pytest-xdist may spread them (tests/conftest.py).
pytestmark = pytest.mark.xdist_per_test
PLAYBOOKS = ROOT / "playbooks"
TARGET = "400 US SKU Production"
CANARY = "400 2.0 Field Test Production"
SOURCE = "Connected Meter 400 2.0 Development"


def environment(emulator, tmp_path: Path) -> dict[str, str]:
    env = dict(
        os.environ,
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        IMPT_ENDPOINT=emulator.base_url,
        IMPT_USER="demo",
        IMPT_PASSWORD="demo-password",  # noqa: S106 - the emulator's demo seed account
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        PY_COLORS="0",
        NO_COLOR="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        NO_PROXY="127.0.0.1,localhost",
    )
    for name in ("IMPT_LOGINKEY", "IMPT_AUTH_FILE_PATH"):
        env.pop(name, None)
    return env


@pytest.mark.parametrize("scenario", ["factory_setup", "release_promotion"])
def test_molecule_scenario(emulator, tmp_path, scenario):
    done = subprocess.run(
        [str(BIN / "molecule"), "test", "-s", scenario],
        cwd=ROOT,
        env=environment(emulator, tmp_path),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-8000:]
    for step in ("prepare", "converge", "idempotence", "verify", "destroy"):
        assert step in output, f"molecule did not run {step}"


def playbook(emulator, tmp_path, name, *args):
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", "localhost,", str(PLAYBOOKS / name), *args],
        cwd=tmp_path,
        env=environment(emulator, tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


class Api:
    """Reads the emulator's state over /v5, apart from the collection's client."""

    def __init__(self, emulator) -> None:
        self.base = emulator.base_url
        self.headers = {"Authorization": f"Bearer {emulator.token()}"}

    def get(self, path: str, **params) -> list | dict:
        response = requests.get(f"{self.base}{path}", params=params, headers=self.headers, timeout=10)
        response.raise_for_status()
        return response.json()["data"]

    def group(self, name: str) -> dict:
        (group,) = [g for g in self.get("/devicegroups", **{"page[size]": 100}) if g["attributes"]["name"] == name]
        return group

    def current(self, group: dict) -> str:
        return group["relationships"]["current_deployment"]["id"]

    def devices(self, group: dict) -> set[str]:
        return {d["id"] for d in self.get("/devices", **{"filter[devicegroup.id]": group["id"], "page[size]": 100})}


def test_canary_rolls_back_a_broken_release_on_an_error_line_and_on_a_timeout(emulator, tmp_path):
    """One line (demo_line.yml) and one broken release candidate, promoted twice: stopped by fail_regex,
    then (the line back where it was) by the verify timeout; each time the canary rolls back."""
    line = playbook(emulator, tmp_path, "demo_line.yml")
    assert line.returncode == 0, line.stdout[-6000:]

    api = Api(emulator)
    broken = (PLAYBOOKS / "files" / "meter-2.0-broken.device.nut").read_text()
    source = api.group(SOURCE)
    response = requests.post(
        f"{api.base}/deployments",
        headers=api.headers,
        timeout=10,
        json={
            "data": {
                "type": "deployment",
                "attributes": {"device_code": broken, "agent_code": "", "tags": ["2.0-rc2"]},
                "relationships": {"devicegroup": {"type": source["type"], "id": source["id"]}},
            }
        },
    )
    response.raise_for_status()
    for mode in ("fail_regex", "timeout"):
        promote_and_roll_back(emulator, tmp_path, api, mode)


def promote_and_roll_back(emulator, tmp_path, api: Api, mode: str) -> None:
    """release_promotion.yml with the broken build stops at the canary and puts the line back."""
    target = api.group(TARGET)
    previous, members = api.current(target), api.devices(target)
    verify = {"enabled": True, "search_regex": r"firmware 2\.0 ready", "timeout": 20}
    if mode == "fail_regex":
        verify["fail_regex"] = "^ERROR: "
    else:
        verify["timeout"] = 4

    run = playbook(
        emulator,
        tmp_path,
        "release_promotion.yml",
        "-e",
        json.dumps({"release_promotion_build": "2.0-rc2", "release_promotion_verify": verify}),
    )
    out = run.stdout
    assert run.returncode != 0, f"{mode}: {out[-6000:]}"
    assert "stopped at the canary" in out, f"{mode}: {out[-6000:]}"
    assert "Rolled back" in out, mode
    assert "Lines seen:" in out, mode
    # The release candidate really runs and crashes: the device's error line, not a literal string.
    assert "ERROR: the index 'calibration' does not exist" in out, f"{mode}: {out[-6000:]}"
    assert "Rollback | redeploy the previous build to the canary group" in out, mode
    assert "failed=1" in out, mode

    target = api.group(TARGET)
    canary = api.group(CANARY)
    assert api.current(target) == previous, f"{mode}: the target group left its previous build"
    assert api.devices(target) == members, f"{mode}: the canary devices are not back in the target group"
    assert api.devices(canary) == set(), mode
    previous_sha = api.get(f"/deployments/{previous}")["attributes"]["sha"]
    canary_sha = api.get(f"/deployments/{api.current(canary)}")["attributes"]["sha"]
    assert canary_sha == previous_sha, f"{mode}: the previous build was not redeployed to the canary group"
