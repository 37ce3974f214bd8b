"""Canary secrets never leak: account password, login key id, unbond keys, a GitHub token and the issued
access/refresh tokens, through every impt output mode, playbooks at -vvvv, the emulator's request log and output.
Only the auth and credential files hold them, with mode 0600."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest
import requests
import yaml
from emulator_process import REPO, _command
from relsuite import BIN, Impt, ansible_env

PASSWORD = "pw-CANARY-7f3a9c1e5b"
UNBOND = ["unbond-CANARY-1d2e3f", "unbond-CANARY-4a5b6c"]
GITHUB = "ghp_CANARY0123456789abcdefABCDEF0123"
MODES = [[], ["-z", "minimal"], ["-z", "json"], ["-z", "debug"]]
PLAY = """---
- name: Canary playbook
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Product
      electricimp.impcentral.product:
        name: Canary product
    - name: Group
      electricimp.impcentral.device_group:
        name: Canary group
        product: Canary product
    - name: Login keys
      electricimp.impcentral.login_key_info:
    - name: Account
      electricimp.impcentral.account_info:
"""


@pytest.fixture
def seeded(tmp_path):
    seed = {
        "accounts": [{"username": "canary", "password": PASSWORD, "email": "canary@example.com", "production": True}],
        "products": [{"name": "Sec", "owner": "canary"}],
        "devicegroups": [{"name": "Prod", "product": "Sec", "type": "production"}],
        "devices": [
            {"owner": "canary", "name": f"dev-{n}", "online": True, "devicegroup": "Sec/Prod", "unbond_key": key}
            for n, key in enumerate(UNBOND)
        ],
    }
    (tmp_path / "seed.yml").write_text(yaml.safe_dump(seed), encoding="utf-8")
    out, err = (tmp_path / "emulator.out").open("w"), (tmp_path / "emulator.err").open("w")
    process = subprocess.Popen(
        [*_command(), "--port", "0", "--seed", str(tmp_path / "seed.yml"), "--rate-limit", "off"],
        stdout=out,
        stderr=err,
        cwd=REPO,
    )
    try:
        for _ in range(200):
            text = (tmp_path / "emulator.out").read_text()
            if "listening on " in text:
                break
            subprocess.run(["sleep", "0.05"], check=True)
        base = text.split("listening on ", 1)[1].split()[0]
        yield base
    finally:
        process.terminate()
        process.wait(10)
        out.close()
        err.close()


def test_no_canary_leaks(seeded, tmp_path):
    base, root = seeded, seeded[: -len("/v5")]
    captured: list[str] = []
    shows_key: list[str] = []  # `loginkey create` / `loginkey list` exist to show the key ids (impt 2.6 too)
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    impt = Impt(work, home, base)

    def run(*argv: str) -> object:
        result = impt(*argv)
        (shows_key if argv[0] == "loginkey" and argv[1] in ("create", "list") else captured).append(result.text)
        assert result.code == 0, f"{argv}\n{result.text}"
        return result

    run("auth", "login", "--local", "--endpoint", base, "--user", "canary", "--pwd", PASSWORD, "-q")
    key = json.loads(run("loginkey", "create", "--pwd", PASSWORD, "-z", "json").out)
    key_id = _find_id(key)
    secrets = {
        "password": PASSWORD,
        "login key": key_id,
        "github": GITHUB,
        **{f"unbond{i}": k for i, k in enumerate(UNBOND)},
    }
    for mode in MODES:
        run("auth", "login", "--local", "--endpoint", base, "--user", "canary", "--pwd", PASSWORD, "-q", *mode)
        tokens = json.loads((work / ".impt.auth").read_text())
        secrets.update({f"access {len(secrets)}": tokens["accessToken"]})
        secrets.update({f"refresh {len(secrets)}": v for k, v in tokens.items() if k.lower().startswith("refresh")})
        for argv in (
            ["auth", "info"],
            ["account", "info"],
            ["loginkey", "list"],
            ["product", "list"],
            ["dg", "info", "--dg", "Prod"],
            ["device", "list"],
        ):
            run(*argv, *mode)
    run("auth", "login", "--local", "--endpoint", base, "--lk", key_id, "-q", "-z", "debug")
    run("device", "unassign", "-d", "dev-0", "--unbond", UNBOND[0], "-z", "debug")
    run("dg", "unassign", "--dg", "Prod", "--unbond", UNBOND[1], "-z", "debug")
    gh = work / "gh.json"
    run("test", "github", "--github-config", str(gh), "--user", "u", "--pwd", GITHUB, "-q", "-z", "debug")
    assert GITHUB in gh.read_text()

    env = ansible_env(base, tmp_path, user="canary", password=PASSWORD)
    (tmp_path / "play.yml").write_text(PLAY, encoding="utf-8")
    done = subprocess.run(
        [str(BIN / "ansible-playbook"), "-vvvv", "-i", "localhost,", str(tmp_path / "play.yml")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    captured.append(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout[-3000:]
    captured.append(requests.get(f"{root}/_emulator/requests", timeout=10).text)

    must_hold = {work / ".impt.auth", gh}
    for path in must_hold:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p not in must_hold and p.name != "seed.yml"]
    assert files, "nothing written?"
    texts = {f"output {i}": text for i, text in enumerate(captured)}
    texts.update({str(p): p.read_bytes().decode("utf-8", "replace") for p in files})
    leaks = [(name, where) for where, text in texts.items() for name, secret in secrets.items() if secret in text]
    assert leaks == [], leaks
    others = {k: v for k, v in secrets.items() if k != "login key"}
    assert [n for text in shows_key for n, secret in others.items() if secret in text] == []
    assert len(secrets) >= 10


def _find_id(answer: object) -> str:
    found = answer[0] if isinstance(answer, list) else answer
    for value in found.values():
        if isinstance(value, dict) and value.get("id"):
            return value["id"]
    if found.get("id"):
        return found["id"]
    raise AssertionError(answer)


def test_auth_file_mode(tmp_path, emulator):
    impt = Impt(tmp_path, tmp_path, emulator.base_url)
    impt.login("demo", "demo-password", "--local")
    assert stat.S_IMODE((tmp_path / ".impt.auth").stat().st_mode) == 0o600
    assert Path(tmp_path / ".impt.auth").read_text()
