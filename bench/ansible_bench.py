"""Ansible benchmark against a local emulator: requests and seconds, printed (never asserted).

1. An unchanged run of a 20-task playbook (5 products, 5 device groups, 5 deployments, 5 webhooks):
   requests per task (target: <= 2 reads, 0 writes) and wall time.
2. device_group_devices with 1,000 devices: first run (assign) and repeat (unchanged): requests
   (target: <= 12, listing included) and wall time.
"""

from __future__ import annotations

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

from emulator_process import start_emulator  # noqa: E402

BIN = Path(sys.executable).parent
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
HEADER = """---
- name: Benchmark
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/electricimp.impcentral.impcentral:
      username: demo
      password: demo-password
  tasks:
"""


def twenty_tasks() -> str:
    tasks = []
    for i in range(5):
        tasks.append(
            f"    - name: Product {i}\n      electricimp.impcentral.product:\n        name: bench-{i}\n"
            f"        description: product {i}\n"
        )
    for i in range(5):
        tasks.append(
            f"    - name: Group {i}\n      electricimp.impcentral.device_group:\n        name: dg-{i}\n"
            f"        product: bench-{i}\n        description: group {i}\n"
        )
    for i in range(5):
        tasks.append(
            f"    - name: Deployment {i}\n      electricimp.impcentral.deployment:\n"
            f"        device_group: dg-{i}\n        device_code: 'server.log(\"{i}\");'\n"
        )
    for i in range(5):
        tasks.append(
            f"    - name: Webhook {i}\n      electricimp.impcentral.webhook:\n        device_group: dg-{i}\n"
            f"        event: deployment\n        url: http://127.0.0.1:9/{i}\n"
        )
    return HEADER + "".join(tasks)


def members_playbook(devices: list) -> str:
    return HEADER + (
        "    - name: Product\n      electricimp.impcentral.product:\n        name: bulk\n"
        "    - name: Group\n      electricimp.impcentral.device_group:\n        name: bulk-dg\n        product: bulk\n"
        "    - name: Members\n      electricimp.impcentral.device_group_devices:\n        device_group: bulk-dg\n"
        f"        devices: {json.dumps(devices)}\n        exclusive: true\n"
    )


class Emulator:
    def __init__(self) -> None:
        self.process = start_emulator("--seed", "demo", "--rate-limit", "off")
        self.root = self.process.root_url
        self.base = self.process.base_url

    def admin(self, method: str, path: str, body=None):
        answer = requests.request(method, f"{self.root}/_emulator/{path}", json=body, timeout=30)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def log(self) -> list:
        return self.admin("GET", "requests")["data"]


def run(emulator: Emulator, text: str, workdir: Path) -> tuple[float, int]:
    path = workdir / "play.yml"
    path.write_text(text)
    env = dict(
        os.environ,
        IMPT_ENDPOINT=emulator.base,
        XDG_CACHE_HOME=str(workdir / "cache"),
        ANSIBLE_LOCALHOST_WARNING="0",
        NO_PROXY="127.0.0.1,localhost",
    )
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(BIN / "ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            str(path),
            "-e",
            f"ansible_python_interpreter={sys.executable}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(done.stdout[-3000:] + done.stderr[-2000:])
    changed = int(done.stdout.rsplit("changed=", 1)[1].split()[0])
    return seconds, changed


def measure(emulator: Emulator, text: str, workdir: Path, label: str, tasks: int) -> None:
    emulator.admin("DELETE", "requests")
    seconds, changed = run(emulator, text, workdir)
    log = [e for e in emulator.log() if e.get("path", "").startswith("/v5")]
    auth = [e for e in log if e["path"].startswith("/v5/auth")]
    reads = [e for e in log if e["method"] == "GET"]
    writes = [e for e in log if e["method"] in WRITES and not e["path"].startswith("/v5/auth")]
    print(
        f"{label}: {seconds:.2f} s, changed={changed}, requests={len(log)} "
        f"(reads {len(reads)}, writes {len(writes)}, logins {len(auth)}), "
        f"{len(reads) / tasks:.2f} reads/task, {seconds / tasks:.3f} s/task"
    )


def main() -> None:
    emulator = Emulator()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            play = twenty_tasks()
            measure(emulator, play, workdir, "20-task playbook, first run", 20)
            measure(emulator, play, workdir, "20-task playbook, unchanged run", 20)

            devices = [emulator.admin("POST", "devices", {"owner": "demo"})["data"]["id"] for _ in range(1000)]
            play = members_playbook(devices)
            run(emulator, members_playbook([]), workdir)  # product and group exist, so only the bulk task counts
            emulator.admin("DELETE", "requests")
            measure(emulator, play, workdir, "1,000 devices assigned (3 tasks; product+group unchanged)", 3)
            measure(emulator, play, workdir, "1,000 devices, unchanged run (3 tasks)", 3)
    finally:
        emulator.process.stop()


if __name__ == "__main__":
    main()
