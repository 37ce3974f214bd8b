"""Access tokens that expire every 2 s (`--token-ttl 2`) are invisible: a long impt session and a playbook whose
tasks outlast a token all succeed."""

from __future__ import annotations

import time

import pytest
from emulator_process import start_emulator
from relsuite import Impt, ansible_env, playbook, state_by_name

PLAY = """---
- name: Outlive the access token
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Product
      electricimp.impcentral.product:
        name: ttl
    - name: Wait past the token lifetime
      ansible.builtin.pause:
        seconds: 3
    - name: Group
      electricimp.impcentral.device_group:
        name: ttl-dg
        product: ttl
    - name: Wait past the token lifetime again
      ansible.builtin.pause:
        seconds: 3
    - name: Deployment
      electricimp.impcentral.deployment:
        device_group: ttl-dg
        device_code: 'server.log("ttl");'
    - name: Read back
      electricimp.impcentral.device_group_info:
        product: ttl
      register: ttl_groups
    - name: Check
      ansible.builtin.assert:
        that: ttl_groups.device_groups | length == 1
"""


@pytest.fixture(scope="module")
def short_lived():
    with start_emulator("--seed", "demo", "--rate-limit", "off", "--token-ttl", "2") as emulator:
        yield emulator


def test_impt_session_outlives_tokens(short_lived, tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "d.nut").write_text('server.log("ttl");\n', encoding="utf-8")
    impt = Impt(tmp_path, tmp_path / "home", short_lived.base_url)
    impt.login("demo", "demo-password", "--local")
    started = time.monotonic()
    for argv in (
        ["product", "create", "-n", "TTL"],
        ["dg", "create", "-n", "TTL-DG", "-p", "TTL"],
        ["build", "deploy", "-g", "TTL-DG", "-x", "d.nut"],
        ["device", "assign", "-d", "sensor-1", "-g", "TTL-DG"],
        ["dg", "info", "--dg", "TTL-DG"],
        ["product", "info", "-p", "TTL", "--full"],
    ):
        time.sleep(1.1)
        impt.ok(*argv)
    assert time.monotonic() - started > 6
    state = state_by_name(short_lived.base_url)
    assert state["devices"]["sensor-1"] == "TTL/TTL-DG"


def test_playbook_outlives_tokens(short_lived, tmp_path):
    (tmp_path / "play.yml").write_text(PLAY, encoding="utf-8")
    run = playbook(tmp_path / "play.yml", ansible_env(short_lived.base_url, tmp_path))
    assert run.code == 0 and run.failed == 0, run.tail()
    assert run.changed == 3, run.tail()
