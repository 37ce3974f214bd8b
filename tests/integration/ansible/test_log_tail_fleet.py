"""log_tail and impt log stream at fleet scale against the emulator: a group of 8 and one of 200 devices are
read from their history, and three followers on one account (two log_tail waits and an impt log stream) all
get their lines with at most one stream handover each."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from ansible_collections.electricimp.impcentral.plugins.action.log_tail import Tail
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from emulator_process import running_emulator
from seeds.fleet import write

BIN = Path(sys.executable).parent


def seed() -> dict:
    from impcentral_emulator.seeds import ACCOUNTS

    groups = {"eight": 8, "many": 200, "pair-a": 2, "pair-b": 2, "twelve": 12}
    return {
        "accounts": ACCOUNTS,
        "products": [{"name": "Fleet", "owner": "demo"}],
        "devicegroups": [{"name": name, "product": "Fleet", "type": "development"} for name in groups],
        "devices": [
            {"owner": "demo", "name": f"{name}-{i:03d}", "online": True, "devicegroup": f"Fleet/{name}"}
            for name, count in groups.items()
            for i in range(count)
        ],
    }


def options(**args) -> dict:
    full = dict(devices=[], device_groups=[], search_regex=None, fail_regex=None, wait_timeout=60, lines=None)
    full.update(duration=None, since=None, history_rate=20)
    full.update(args)
    return full


def impt_login(emu, tmp_path: Path) -> dict:
    """An environment whose impt is logged in to the emulator (a local auth file in tmp_path)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(home), NO_COLOR="1", NO_PROXY="127.0.0.1,localhost")
    login = ["auth", "login", "--endpoint", emu.base_url, "--user", "demo", "--pwd", "demo-password", "-q", "--local"]
    subprocess.run([str(BIN / "impt"), *login], env=env, cwd=tmp_path, capture_output=True, check=True)
    return env


def client_for(emu) -> ImpCentralClient:
    client = ImpCentralClient(emu.base_url)
    client.login("demo", "demo-password")
    return client


def log(emu, device_id: str, msg: str) -> None:
    requests.post(f"{emu.root_url}/_emulator/devices/{device_id}/logs", json={"msg": msg}, timeout=10)


def ids_of(client, group: str) -> list:
    found = identify.one(client, "device_group", group)
    return sorted(d["id"] for d in client.devices.list(device_group=found["id"]))


def test_log_tail_on_groups_of_8_and_200_devices(tmp_path):
    path = tmp_path / "seed.json"
    write(path, seed())
    with running_emulator("--seed", str(path)) as emu:
        client = client_for(emu)
        for group, rate in (("eight", 20), ("many", 40)):
            last = ids_of(client, group)[-1]
            log(emu, last, f"{group} firmware 2.1 ready")
            tail = Tail(
                options(
                    device_groups=[group], search_regex=f"{group} firmware 2.1 ready", since="60", history_rate=rate
                )
            )
            tail.run(client_for(emu))
            report = tail.report()
            assert report["matched"], report.get("msg")
            assert report["mode"] == "history" and len(report["history_devices"]) == (8 if group == "eight" else 200)
            assert not report["stream_opened"]


def test_two_log_tails_and_an_impt_log_stream_on_one_account_all_get_their_lines(tmp_path):
    path = tmp_path / "seed.json"
    write(path, seed())
    with running_emulator("--seed", str(path), "--rate-limit", "off") as emu:
        client = client_for(emu)
        pair_a, pair_b = ids_of(client, "pair-a"), ids_of(client, "pair-b")
        env = impt_login(emu, tmp_path)
        reports = {}

        def wait(name, devices, pattern):
            tail = Tail(options(devices=devices, search_regex=pattern, wait_timeout=60))
            tail.run(client_for(emu))
            reports[name] = tail.report()

        first = threading.Thread(target=wait, args=("a", pair_a, "done a"))
        first.start()
        time.sleep(3)
        second = threading.Thread(target=wait, args=("b", pair_b, "done b"))
        second.start()
        time.sleep(3)
        stream = subprocess.Popen(
            [str(BIN / "impt"), "log", "stream", "--dg", "pair-a", "--until", "done impt", "--timeout", "60"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(4)
        log(emu, pair_a[0], "done a")
        log(emu, pair_b[1], "done b")
        log(emu, pair_a[1], "done impt")
        first.join(70)
        second.join(70)
        out, err = stream.communicate(timeout=70)
        streams_opened = len(
            [
                e
                for e in requests.get(f"{emu.root_url}/_emulator/requests", timeout=10).json()["data"]
                if e["method"] == "POST" and e["path"] == "/v5/logstream"
            ]
        )
    assert reports["a"]["matched"] and reports["b"]["matched"], reports
    assert stream.returncode == 0, out + err
    assert "done impt" in out
    assert streams_opened == 3  # one each: nobody reopened a stream another client took
    for name in ("a", "b"):
        assert reports[name]["mode"] == "history" and len(reports[name].get("warnings", [])) == 1


def test_impt_log_stream_of_twelve_devices_shows_all_twelve(tmp_path):
    path = tmp_path / "seed.json"
    write(path, seed())
    with running_emulator("--seed", str(path), "--rate-limit", "off") as emu:
        client = client_for(emu)
        twelve = ids_of(client, "twelve")
        env = impt_login(emu, tmp_path)
        stream = subprocess.Popen(
            [str(BIN / "impt"), "log", "stream", "--dg", "twelve", "--until", "last line", "--timeout", "60"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(4)
        for device in twelve:
            log(emu, device, f"hello from {device}")
        time.sleep(3)
        log(emu, twelve[0], "last line")
        out, err = stream.communicate(timeout=70)
    assert stream.returncode == 0, out + err
    for device in twelve:
        assert f"hello from {device}" in out
    assert "are read from their history" in out + err
