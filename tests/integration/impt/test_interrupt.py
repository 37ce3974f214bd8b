"""Ctrl-C in impt flows that change devices in steps: the write on the wire gets its answer, nothing is sent after
it, and the command says so. A real `impt` process gets a real SIGINT; the emulator slows every request (its
`latency_ms` fault) so the signal lands while a write is on the wire, and its request log shows what was sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient

IMPT = str(Path(sys.executable).parent / "impt")
LATENCY_MS = 800  # each request takes this long: a SIGINT 300 ms into a write lands while it is on the wire


def bench_product(emulator) -> dict:
    """Product "Bench" with two development groups of three devices each (ids by group)."""
    client = ImpCentralClient(emulator.base_url)
    client.login("demo", "demo-password")
    product = client.products.create("Bench")
    groups = {}
    for name in ("bench-a", "bench-b"):
        group = client.device_groups.create("development", name, product["id"])
        devices = [emulator.add_device(name=f"{name}-{i}")["id"] for i in range(3)]
        client.device_groups.add_devices(group["id"], devices)
        groups[group["id"]] = devices
    return groups


def test_ctrl_c_during_a_product_delete_lets_the_unassign_on_the_wire_finish_and_sends_nothing_after(
    emulator, tmp_path
):
    groups = bench_product(emulator)
    emulator.clear_requests()
    emulator.admin("PUT", "faults", {"latency_ms": LATENCY_MS})
    env = dict(
        os.environ, IMPT_ENDPOINT=emulator.base_url, IMPT_USER="demo", IMPT_PASSWORD="demo-password", HOME=str(tmp_path)
    )
    command = [IMPT, "product", "delete", "-p", "Bench", "--force", "--confirmed"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        # impt reads the product's groups, devices and deployments (one listing each), then unassigns per group.
        while not any(e["path"] == "/v5/deployments" for e in emulator.requests()):
            assert time.monotonic() < deadline and process.poll() is None, "impt did not reach its first write"
            time.sleep(0.05)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    writes = [e for e in emulator.requests() if e["method"] != "GET" and e["path"] != "/v5/auth"]
    assert len(writes) == 1, writes  # the first unassign only: no group and no product was deleted
    assert writes[0]["method"] == "DELETE" and writes[0]["path"].endswith("/relationships/devices")
    assert writes[0]["status"] == 204 and not writes[0].get("answer_lost")
    first_group = writes[0]["path"].split("/")[3]
    # Its answer was read: impt reports each device of that group, then why it stopped.
    assert [f'Device "{d}" is unassigned successfully.' in out for d in groups[first_group]] == [True] * 3
    assert "Stopping after the current request has its answer." in err
    assert "Interrupted after the request on the wire got its answer; nothing was sent after it." in out + err
    assert process.returncode == 130  # impt's exit code for an interrupted command
