"""`kill -9` of the emulator (`--db`) in the middle of an impt run: every write answered before the crash is
there after a restart on the same database, and the re-run converges (a playbook, then changed=0).
"""

from __future__ import annotations

import threading
import time

import requests
from emulator_process import start_emulator
from relsuite import Impt, ansible_env, assert_clear_failure, playbook, state_by_name

COUNT = 12
PLAY = """---
- name: Re-run after the crash
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Products
      electricimp.impcentral.product:
        name: "crash-{{ item }}"
      loop: "{{ range(COUNT) | list }}"
    - name: Groups
      electricimp.impcentral.device_group:
        name: "g-{{ item }}"
        product: "crash-{{ item }}"
      loop: "{{ range(COUNT) | list }}"
""".replace("COUNT", str(COUNT))


def test_answered_writes_survive_kill_9(tmp_path):
    db = tmp_path / "state.db"
    (tmp_path / "home").mkdir()
    emulator = start_emulator("--seed", "demo", "--rate-limit", "off", "--db", str(db))
    try:
        impt = Impt(tmp_path, tmp_path / "home", emulator.base_url)
        impt.login("demo", "demo-password", "--local")
        answered: list[str] = []
        for i in range(COUNT // 3):
            impt.ok("product", "create", "-n", f"crash-{i}")
            answered.append(f"crash-{i}")
            impt.ok("dg", "create", "-n", f"g-{i}", "-p", f"crash-{i}")
            answered.append(f"crash-{i}/g-{i}")
        # The next write is in flight (the emulator holds every answer 400 ms) when the process is killed.
        faults = f"{emulator.root_url}/_emulator/faults"
        requests.put(faults, json={"latency_ms": 400}, timeout=10).raise_for_status()
        outcome: list = []
        writer = threading.Thread(target=lambda: outcome.append(impt("product", "create", "-n", "crash-inflight")))
        writer.start()
        time.sleep(0.15)
        emulator.kill()
        writer.join(120)
        assert emulator.process.returncode == -9
        assert outcome, "the in-flight command did not end"
        assert_clear_failure(outcome[0], "product create during the crash")
    finally:
        emulator.stop()

    with start_emulator("--db", str(db), "--rate-limit", "off") as restarted:
        state = state_by_name(restarted.base_url)
        for name in answered:
            kind = "devicegroups" if "/" in name else "products"
            assert state[kind][name] == 1, (name, state)
        env = ansible_env(restarted.base_url, tmp_path)
        (tmp_path / "play.yml").write_text(PLAY, encoding="utf-8")
        first = playbook(tmp_path / "play.yml", env)
        assert first.code == 0 and first.failed == 0, first.tail()
        again = playbook(tmp_path / "play.yml", env)
        assert again.code == 0 and again.changed == 0, again.tail()
        state = state_by_name(restarted.base_url)
        assert all(state["products"][f"crash-{i}"] == 1 for i in range(COUNT))
        assert all(state["devicegroups"][f"crash-{i}/g-{i}"] == 1 for i in range(COUNT))
