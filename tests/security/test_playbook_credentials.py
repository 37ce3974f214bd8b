"""Credentials in real playbooks: lookup connection options set through variables are templated
(``impcentral_password: "{{ vault_pw }}"``), and a task's username/password win over IMPT_LOGINKEY in the
environment, for modules and lookups alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    vault_pw: demo-password
    impcentral_username: demo
    impcentral_password: "{{ vault_pw }}"
  tasks:
    - name: Lookup with templated connection variables
      ansible.builtin.set_fact:
        me: "{{ lookup('electricimp.impcentral.account', 'me') }}"
    - name: Module with username/password while IMPT_LOGINKEY is set
      electricimp.impcentral.account_info:
        username: demo
        password: "{{ vault_pw }}"
      register: info
    - name: Show
      ansible.builtin.debug:
        msg: "RESULT {{ me | to_json }} {{ info.account.username }}"
"""


def test_templated_lookup_variables_and_task_credentials_over_the_environment(emulator, tmp_path):
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    env = dict(
        os.environ,
        IMPT_ENDPOINT=emulator.base_url,
        IMPT_LOGINKEY="0123456789abcdef",
        HOME=str(tmp_path),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        NO_PROXY="127.0.0.1,localhost",
    )
    command = [
        str(BIN / "ansible-playbook"),
        "-i",
        "localhost,",
        "-c",
        "local",
        "play.yml",
        "-e",
        json.dumps({"ansible_python_interpreter": sys.executable}),
    ]
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "RESULT" in done.stdout and " demo" in done.stdout.split("RESULT", 1)[1]
    logins = [r["path"] for r in emulator.requests() if r["path"].startswith("/v5/auth")]
    assert "/v5/auth" in logins and "/v5/auth/token" not in logins, logins
