"""Every plugin's EXAMPLES, as ansible-doc and the docs site show them, run against the account they are written for.

The account is examples/world.yml (an emulator seed: the product, groups, builds and devices whose names the
examples use). Each plugin's examples run in their order as one play, on the account as seeded: first in check
mode (no write may reach the API), then for real. The inventory's example is an inventory source: it is read
with ansible-inventory, with its vaulted login key made for real.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from emulator_process import EmulatorHandle, start_emulator

ROOT = Path(__file__).resolve().parents[3]
WORLD = Path(__file__).resolve().parent / "examples" / "world.yml"
BIN = Path(sys.executable).parent
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
USER, PASSWORD = "ops", "ops-password"  # the seed's account (examples/world.yml)
SEED = yaml.safe_load(WORLD.read_text())
# The production devices' unbond key in the seed: the product example's thermostat_unbond_key.
(UNBOND_KEY,) = {device["unbond_key"] for device in SEED["devices"] if "unbond_key" in device}
PLAYBOOK_PLUGINS = sorted([*(ROOT / "plugins" / "modules").glob("*.py"), *(ROOT / "plugins" / "lookup").glob("*.py")])


def examples(path: Path) -> str:
    """The plugin's EXAMPLES string, read without importing the plugin."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "EXAMPLES" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path} has no EXAMPLES")


@pytest.fixture(scope="module")
def world() -> Iterator[EmulatorHandle]:
    process = start_emulator("--seed", str(WORLD), "--rate-limit", "off", "--keepalive", "0.5")
    try:
        yield EmulatorHandle(process)
    finally:
        process.stop()


@pytest.fixture
def account(world: EmulatorHandle, tmp_path: Path) -> EmulatorHandle:
    """The seeded account, fresh; the source files the deployment example names are in the working directory."""
    world.reset()
    world.clear_requests()
    (tmp_path / "src").mkdir()
    # The code of the seed's v2.1 build: the example deploys what the development group already runs.
    v21 = next(d for d in SEED["deployments"] if d.get("tags") == ["v2.1"])
    (tmp_path / "src" / "device.nut").write_text(v21["device_code"])
    (tmp_path / "src" / "agent.nut").write_text(v21["agent_code"])
    return world


def environment(emulator: EmulatorHandle, tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        HOME=str(tmp_path),
        IMPT_ENDPOINT=emulator.base_url,
        IMPT_USER=USER,
        IMPT_PASSWORD=PASSWORD,
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        NO_PROXY="127.0.0.1,localhost",
    )


def api_writes(emulator: EmulatorHandle) -> list[str]:
    """Writes under /v5, except logins (POST /v5/auth*)."""
    return [
        f"{entry['method']} {entry['path']}"
        for entry in emulator.requests()
        if entry.get("method") in WRITES
        and entry["path"].startswith("/v5")
        and not entry["path"].startswith("/v5/auth")
    ]


def run_playbook(emulator: EmulatorHandle, tmp_path: Path, *args: str) -> tuple[dict[str, int], str]:
    command = [
        str(BIN / "ansible-playbook"),
        "-i",
        "localhost,",
        "-c",
        "local",
        "-e",
        # The variables the examples use: the login_key example's credentials (which the lookups read too) and
        # the product example's unbond key.
        json.dumps(
            {
                "ansible_python_interpreter": sys.executable,
                "impcentral_username": USER,
                "impcentral_password": PASSWORD,
                "thermostat_unbond_key": UNBOND_KEY,
            }
        ),
        "examples.yml",
        *args,
    ]
    done = subprocess.run(
        command,
        env=environment(emulator, tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-3000:]
    recap = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", done.stdout)
    assert recap, done.stdout
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, recap.groups()), strict=True)), done.stdout


@pytest.mark.parametrize("path", PLAYBOOK_PLUGINS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_examples_run_in_check_mode_then_for_real(account: EmulatorHandle, tmp_path: Path, path: Path) -> None:
    tasks = yaml.safe_load(examples(path))
    play = {"name": f"EXAMPLES of {path.stem}", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
    (tmp_path / "examples.yml").write_text(yaml.safe_dump([play], sort_keys=False))

    checked, out = run_playbook(account, tmp_path, "--check")
    assert checked["failed"] == 0 and checked["ok"] == len(tasks), out
    assert api_writes(account) == [], "check mode wrote to impCentral"

    done, out = run_playbook(account, tmp_path)
    assert done["failed"] == 0 and done["ok"] == len(tasks), out


def test_inventory_example_reads_the_fleet(world: EmulatorHandle, tmp_path: Path) -> None:
    world.reset()
    path = ROOT / "plugins" / "inventory" / "devices.py"
    text = examples(path)
    # A real login key for the example's `!vault` value (the example shows ansible-vault's output, cut short).
    token = world.token(USER, PASSWORD)
    created = requests.post(
        f"{world.base_url}/accounts/me/login_keys",
        json={"data": {"type": "loginkey", "attributes": {"description": "inventory example"}}},
        headers={"Authorization": f"Bearer {token}", "X-Electricimp-Password": PASSWORD},
        timeout=10,
    )
    created.raise_for_status()
    (tmp_path / "vault-password").write_text("examples\n")
    env = environment(world, tmp_path)
    for name in ("IMPT_USER", "IMPT_PASSWORD"):
        env.pop(name)
    vaulted = subprocess.run(
        [
            str(BIN / "ansible-vault"),
            "encrypt_string",
            "--vault-password-file",
            "vault-password",
            "--name",
            "login_key",
            created.json()["data"]["id"],
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    source, count = re.subn(r"^login_key: !vault \|\n(?:  .*\n)+", vaulted.strip() + "\n", text, flags=re.M)
    assert count == 1, text
    (tmp_path / "thermo.impcentral.yml").write_text(source)

    done = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", "thermo.impcentral.yml", "--vault-password-file", "vault-password"]
        + ["--list", "--export"],
        check=False,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    inventory = json.loads(done.stdout)
    hosts = set(inventory["_meta"]["hostvars"])
    # The seed's online production devices of Thermostat, named by device name (host_name: name).
    assert hosts == {"thermostat-1", "thermostat-2", "thermostat-3", "thermostat-4"}, done.stderr
    # keyed_groups on the second field of impOS's version string ("... - release-43.12 - ...", the emulator's).
    assert set(inventory["release_release_43_12"]["hosts"]) == hosts
    assert (tmp_path / ".cache" / "impcentral-inventory").is_dir(), "the example's cache_connection"
