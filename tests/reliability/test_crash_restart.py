"""`kill -9` of the emulator (`--db`) in the middle of an impt run: every write answered before the crash is
there after a restart on the same database, and the re-run converges (a playbook, then changed=0).
"""

from __future__ import annotations

import threading
import time

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
        killer, failures = None, 0
        for i in range(COUNT):
            if failures:
                break  # the emulator is gone: each further command would only wait out its retries
            for argv, name in (
                (["product", "create", "-n", f"crash-{i}"], f"crash-{i}"),
                (["dg", "create", "-n", f"g-{i}", "-p", f"crash-{i}"], f"crash-{i}/g-{i}"),
            ):
                result = impt(*argv)
                if result.code == 0:
                    answered.append(name)
                else:
                    assert killer is not None, result.text  # only the crash may fail a command
                    assert_clear_failure(result, argv)
                    failures += 1
                    break
            if i == COUNT // 3:
                killer = threading.Timer(0.05, emulator.kill)
                killer.start()
        killer.join()
        assert emulator.process.returncode == -9
    finally:
        emulator.stop()
    assert 2 <= len(answered) < 2 * COUNT, answered

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
    time.sleep(0)
