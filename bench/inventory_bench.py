"""Inventory benchmark: `ansible-inventory` over 10,000 seeded devices, requests and seconds, printed.

Target: <= 110 API requests for 10,000 devices (one per 100 devices, one per product and Device Group
listing, one login). Runs against a local emulator seeded by tests/seeds/fleet.py, with the API's rate
limit (40 requests/s per token) and without it, then once more from the inventory cache. Prints; never
asserts.

Run: .venv/bin/python bench/inventory_bench.py [devices]
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from emulator_process import running_emulator  # noqa: E402
from seeds.fleet import fleet, write  # noqa: E402

BIN = Path(sys.executable).parent
DEVICES = 10_000
TARGET = 110


def inventory(base_url: str, workdir: Path, *, cache: bool = False) -> tuple[float, int]:
    """One `ansible-inventory --list`: wall seconds and hosts listed."""
    source = workdir / "fleet.impcentral.yml"
    text = "plugin: electricimp.impcentral.devices\n"
    if cache:
        text += (
            f"cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: {workdir / 'inventory-cache'}\n"
        )
    source.write_text(text)
    env = dict(
        os.environ,
        IMPT_ENDPOINT=base_url,
        IMPT_USER="demo",
        IMPT_PASSWORD="demo-password",
        XDG_CACHE_HOME=str(workdir / "token-cache"),
        ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
        NO_PROXY="127.0.0.1,localhost",
    )
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(source), "--list"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=workdir,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return seconds, len(json.loads(done.stdout)["_meta"]["hostvars"])


def api_requests(root_url: str) -> list:
    answer = requests.get(f"{root_url}/_emulator/requests", timeout=30)
    answer.raise_for_status()
    return [e for e in answer.json()["data"] if e["path"].startswith("/v5")]


def clear(root_url: str) -> None:
    requests.delete(f"{root_url}/_emulator/requests", timeout=30).raise_for_status()


def report(label: str, seconds: float, hosts: int, log: list) -> None:
    paths = collections.Counter(e["path"] for e in log)
    detail = ", ".join(f"{path} {count}" for path, count in sorted(paths.items()))
    verdict = "met" if len(log) <= TARGET else "MISSED"
    print(
        f"{label}: {hosts:,} hosts, {len(log)} requests ({detail or 'none'}), {seconds:.2f} s "
        f"[target <= {TARGET} requests: {verdict}]"
    )


def main() -> None:
    devices = int(sys.argv[1]) if len(sys.argv) > 1 else DEVICES
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        seed = workdir / "fleet.json"
        write(seed, fleet(devices))
        for label, limit in (("rate limit 40/s", "40"), ("rate limit off", "off")):
            with running_emulator("--seed", str(seed), "--rate-limit", limit) as emulator:
                clear(emulator.root_url)
                seconds, hosts = inventory(emulator.base_url, workdir)
                report(
                    f"ansible-inventory --list, {devices:,} devices, {label}",
                    seconds,
                    hosts,
                    api_requests(emulator.root_url),
                )
                if limit == "off":
                    inventory(emulator.base_url, workdir, cache=True)
                    clear(emulator.root_url)
                    seconds, hosts = inventory(emulator.base_url, workdir, cache=True)
                    report(
                        f"ansible-inventory --list, {devices:,} devices, from the cache",
                        seconds,
                        hosts,
                        api_requests(emulator.root_url),
                    )


if __name__ == "__main__":
    main()
