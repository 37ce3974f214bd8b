"""Done criterion of the inventory: `ansible-inventory --graph` lists 10,000 seeded devices in their
groups, reading them with one request per 100 devices plus the product and Device Group listings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import requests
from emulator_process import running_emulator
from seeds.fleet import fleet, write

BIN = Path(sys.executable).parent
DEVICES = 10_000


def test_graph_of_ten_thousand_devices(tmp_path):
    seed = tmp_path / "fleet.json"
    write(seed, fleet(DEVICES))
    source = tmp_path / "fleet.impcentral.yml"
    source.write_text("plugin: electricimp.impcentral.devices\nhost_name: name\n")
    with running_emulator("--seed", str(seed), "--rate-limit", "off", "--exec", "off") as emu:
        env = dict(
            os.environ,
            IMPT_ENDPOINT=emu.base_url,
            IMPT_USER="demo",
            IMPT_PASSWORD="demo-password",
            XDG_CACHE_HOME=str(tmp_path / "cache"),
            ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
            NO_PROXY="127.0.0.1,localhost",
        )
        done = subprocess.run(
            [str(BIN / "ansible-inventory"), "-i", str(source), "--graph"],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
            check=False,
        )
        log = requests.get(f"{emu.root_url}/_emulator/requests", timeout=30).json()["data"]
    assert done.returncode == 0, done.stderr[-3000:]
    graph = done.stdout.splitlines()
    leaves = {line.rsplit("--", 1)[1] for line in graph if re.search(r"\|--fleet-\d{5}$", line)}
    assert leaves == {f"fleet-{i:05d}" for i in range(DEVICES)}
    # A device group's hosts are drawn under it, inside its product.
    start = graph.index("  |--@product_fleet_00:")
    assert graph[start + 1] == "  |  |--@device_group_fleet_00_development_0:"
    assert graph[start + 2] == "  |  |  |--fleet-00000"
    for group in ("@unassigned:", "@offline:", "@online:", "@imp_type_imp006:", "@device_group_type_production:"):
        assert f"  |--{group}" in graph
    api = [e for e in log if e["path"].startswith("/v5")]
    assert len([e for e in api if e["path"] == "/v5/devices"]) == DEVICES // 100
    assert len(api) <= DEVICES // 100 + 10
