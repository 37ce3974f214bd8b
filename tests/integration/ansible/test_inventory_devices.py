"""The devices inventory from an inventory file, with ansible-inventory and ansible-playbook, against
an emulator seeded with a small fleet (tests/seeds/fleet.py): groups, host vars, filters, errors, and
the documented example play (rename, restart, verify per device)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from emulator_process import running_emulator
from seeds.fleet import GROUP_SPAN, fleet, write

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
DEVICES = 120  # 2 products x 3 groups, some devices unassigned or offline
PLUGIN = "plugin: electricimp.impcentral.devices\n"


@pytest.fixture(scope="module")
def fleet_emulator(tmp_path_factory):
    seed = tmp_path_factory.mktemp("seed") / "fleet.json"
    write(seed, fleet(DEVICES, products=2))
    with running_emulator("--seed", str(seed), "--rate-limit", "off") as emu:
        yield emu


@pytest.fixture
def emu(fleet_emulator):
    requests.post(f"{fleet_emulator.root_url}/_emulator/reset", timeout=10).raise_for_status()
    return fleet_emulator


def environment(emu, tmp_path) -> dict:
    return dict(
        os.environ,
        IMPT_ENDPOINT=emu.base_url,
        IMPT_USER="demo",
        IMPT_PASSWORD="demo-password",
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        HOME=str(tmp_path),
        ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_STDOUT_CALLBACK="default",
        NO_PROXY="127.0.0.1,localhost",
    )


def run(command, emu, tmp_path, **extra_env):
    done = subprocess.run(
        command,
        env=dict(environment(emu, tmp_path), **extra_env),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        check=False,
    )
    return done


def inventory_file(tmp_path, text: str = "") -> str:
    path = tmp_path / "fleet.impcentral.yml"
    path.write_text(PLUGIN + text)
    return str(path)


def listing(emu, tmp_path, text: str = "") -> dict:
    done = run([str(BIN / "ansible-inventory"), "-i", inventory_file(tmp_path, text), "--list"], emu, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout, object_hook=_plain)


def _plain(value: dict):
    """ansible-inventory writes untrusted (plugin) strings as {"__ansible_unsafe": ...}."""
    return value["__ansible_unsafe"] if set(value) == {"__ansible_unsafe"} else value


def hosts(data: dict, group: str) -> list:
    """Hosts of a group and of its children."""
    found = list(data.get(group, {}).get("hosts", []))
    for child in data.get(group, {}).get("children", []):
        found += hosts(data, child)
    return sorted(found)


def test_every_device_is_a_host_in_its_groups(emu, tmp_path):
    data = listing(emu, tmp_path, "host_name: name\n")
    hostvars = data["_meta"]["hostvars"]
    assert sorted(hostvars) == [f"fleet-{i:05d}" for i in range(DEVICES)]
    assert data["product_fleet_00"]["children"] == [
        "device_group_fleet_00_development_0",
        "device_group_fleet_00_pre_production_1",
        "device_group_fleet_00_production_2",
    ]
    first_group = [f"fleet-{i:05d}" for i in range(GROUP_SPAN)]
    assert hosts(data, "device_group_fleet_00_development_0")[:GROUP_SPAN] == first_group
    assert hosts(data, "unassigned") == [f"fleet-{i:05d}" for i in range(49, DEVICES, 50)]
    assert hosts(data, "offline") == [f"fleet-{i:05d}" for i in range(9, DEVICES, 10)]
    assert len(hosts(data, "imp_type_imp005")) == DEVICES // 4
    assert len(hosts(data, "product_fleet_00")) + len(hosts(data, "product_fleet_01")) == DEVICES - 2
    one = hostvars["fleet-00002"]
    assert one["impcentral_imp_type"] == "imp005" and one["impcentral_device_group_type"] == "development"
    assert one["impcentral_product_name"] == "Fleet-00" and one["impcentral_device_online"] is True
    assert "unbond" not in json.dumps(data) and "demo-password" not in json.dumps(data)


def test_filters_and_constructed_groups(emu, tmp_path):
    data = listing(
        emu,
        tmp_path,
        "products: [Fleet-01]\ndevice_group_types: [production]\nonline: true\nimp_types: [imp001, imp005]\n"
        "keyed_groups:\n  - key: impcentral_imp_type\n    prefix: chip\n"
        "compose:\n  short_id: impcentral_id[-4:]\n",
    )
    hostvars = data["_meta"]["hostvars"]
    assert hostvars, "the filters left nothing to check"
    for facts in hostvars.values():
        assert facts["impcentral_product_name"] == "Fleet-01"
        assert facts["impcentral_device_group_type"] == "production"
        assert facts["impcentral_device_online"] is True
        assert facts["impcentral_imp_type"] in ("imp001", "imp005")
        assert facts["short_id"] == facts["impcentral_id"][-4:]
    assert sorted(hosts(data, "chip_imp001") + hosts(data, "chip_imp005")) == sorted(hostvars)
    log = requests.get(f"{emu.root_url}/_emulator/requests", timeout=10).json()["data"]
    devices = [e for e in log if e["path"] == "/v5/devices"]
    assert len(devices) == 1  # the product and type went to the API as filters


def test_a_bad_login_is_one_clear_error(emu, tmp_path):
    done = run(
        [str(BIN / "ansible-inventory"), "-i", inventory_file(tmp_path), "--graph"],
        emu,
        tmp_path,
        IMPT_PASSWORD="wrong-password",
        ANSIBLE_INVENTORY_ENABLED="electricimp.impcentral.devices",
    )
    assert done.returncode != 0
    assert f"(POST {emu.base_url}/auth -> 401)" in done.stderr
    assert "Traceback" not in done.stderr and "wrong-password" not in done.stderr + done.stdout


def test_every_option_is_templated_like_netbox_inventory(emu, tmp_path):
    """Issue 25: the endpoint from an env lookup (it was taken literally: "Cannot reach impCentral at {{ ...");
    a filter and a number templated too. FLEET_EP points at the emulator, IMPT_ENDPOINT at nothing."""
    text = (
        "endpoint: \"{{ lookup('ansible.builtin.env', 'FLEET_EP') }}\"\n"
        "products: [\"{{ 'Fleet-' ~ '01' }}\"]\n"
        'timeout: "{{ 10 * 3 }}"\n'
    )
    done = run(
        [str(BIN / "ansible-inventory"), "-i", inventory_file(tmp_path, text), "--list"],
        emu,
        tmp_path,
        FLEET_EP=emu.base_url,
        IMPT_ENDPOINT="http://127.0.0.1:9/v5",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    hostvars = json.loads(done.stdout, object_hook=_plain)["_meta"]["hostvars"]
    assert hostvars and {facts["impcentral_product_name"] for facts in hostvars.values()} == {"Fleet-01"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [  # the misspellings of issue 25: each used to give an empty inventory and exit 0
        ("device_group_types: [prodution]", 'device_group_types: "prodution" is not a Device Group type'),
        ("imp_types: [imp04m]", 'imp_types: "imp04m" is not an imp type'),
        ('online: "maybe"', 'online must be true or false (or unset for both), not "maybe".'),
        ("include_unassigned: 7", "include_unassigned must be true or false, not 7."),
        ("timeout: 0", "timeout must be a number of seconds greater than 0, not 0."),
        ("products: [Nope]", 'Product "Nope" is not found'),
    ],
)
def test_a_misspelled_filter_or_bad_number_fails_naming_the_value(emu, tmp_path, line, expected):
    done = run(
        [str(BIN / "ansible-inventory"), "-i", inventory_file(tmp_path, line + "\n"), "--list"],
        emu,
        tmp_path,
        ANSIBLE_INVENTORY_ENABLED="electricimp.impcentral.devices",
    )
    assert done.returncode != 0
    # Older ansible-core wraps warnings at 80 columns: compared with the whitespace folded.
    assert "impCentral inventory: " + expected in " ".join(done.stderr.split()), done.stderr
    assert "Traceback" not in done.stderr


def test_the_documented_example_renames_restarts_and_verifies_a_group(emu, tmp_path):
    target = "device_group_fleet_01_development_0"
    command = [
        str(BIN / "ansible-playbook"),
        "-i",
        str(REPO / "playbooks" / "inventory" / "fleet.impcentral.yml"),
        str(REPO / "playbooks" / "inventory_example.yml"),
        "-e",
        json.dumps({"target": target}),
    ]
    data = listing(emu, tmp_path)
    members = sorted(set(hosts(data, target)) & set(hosts(data, "online")))
    requests.delete(f"{emu.root_url}/_emulator/requests", timeout=10).raise_for_status()
    done = run(command, emu, tmp_path)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    log = requests.get(f"{emu.root_url}/_emulator/requests", timeout=10).json()["data"]
    renames = [e for e in log if e["method"] == "PATCH" and e["path"].startswith("/v5/devices/")]
    restarts = [e for e in log if e["method"] == "POST" and e["path"].endswith("/restart")]
    assert len(renames) == len(restarts) == len(members) > 0
    named = [d["attributes"]["name"] for d in _all_devices(emu)]
    assert sum(name.startswith("development-0-") for name in named) == len(members)

    done = run(command, emu, tmp_path)  # again: the names stand, only the restarts change anything
    assert done.returncode == 0, done.stdout[-6000:]
    assert f"changed={1}" in done.stdout and "changed=2" not in done.stdout


def _all_devices(emu) -> list:
    """Every device, read directly over HTTP (not through the code under test)."""
    login = requests.post(f"{emu.base_url}/auth", json={"id": "demo", "password": "demo-password"}, timeout=10)
    headers = {"Authorization": "Bearer " + login.json()["access_token"]}
    url, params, out = f"{emu.base_url}/devices", {"page[size]": "100"}, []
    while url:
        answer = requests.get(url, params=params, headers=headers, timeout=10).json()
        out += answer["data"]
        url, params = answer.get("links", {}).get("next"), None
    return out
