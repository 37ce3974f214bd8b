"""Check mode sends zero write requests: every module (in-process) and both roles (ansible-playbook --check).

The emulator's request log may hold GETs and the logins (POST /v5/auth, /v5/auth/token), nothing else that
writes. Every module case runs against a state where it would change something (asserted: `changed` is true).
"""

from __future__ import annotations

import pytest
from relsuite import PLAYBOOKS, Impt, ansible_env, patch_module_exits, playbook, run_module, writes

NEW_CODE = 'server.log("check mode");'
# (module, args): each would change the prepared state (product P, development group G with a deployment,
# sensor-1 assigned to G, a deployment webhook on G, one login key).
CASES = [
    ("product", {"name": "New product"}),
    ("product", {"name": "P", "description": "changed"}),
    ("product", {"name": "P", "state": "absent", "force": True}),
    ("device_group", {"name": "New group", "product": "P"}),
    ("device_group", {"name": "G", "product": "P", "description": "changed"}),
    ("device_group", {"name": "G", "product": "P", "state": "absent", "force": True}),
    ("deployment", {"device_group": "G", "device_code": NEW_CODE}),
    ("deployment", {"device_group": "G", "device_code": NEW_CODE, "tags": ["t"], "flagged": True}),
    ("device", {"device": "sensor-1", "name": "renamed"}),
    ("device", {"device": "sensor-2", "device_group": "G"}),
    ("device", {"device": "sensor-1", "state": "absent", "force": True}),
    ("device_group_devices", {"device_group": "G", "devices": ["sensor-2", "sensor-3"]}),
    ("device_group_devices", {"device_group": "G", "devices": ["sensor-1"], "state": "absent"}),
    ("device_group_devices", {"device_group": "G", "devices": [], "exclusive": True}),
    ("restart", {"device_groups": ["G"]}),
    ("restart", {"devices": ["sensor-1"], "conditional": True}),
    ("webhook", {"device_group": "G", "event": "blinkup", "url": "http://127.0.0.1:9/new"}),
    ("webhook", {"device_group": "G", "event": "deployment", "url": "http://127.0.0.1:9/d", "state": "absent"}),
    ("login_key", {"description": "new key", "password": "demo-password"}),
    ("login_key", {"key_id": "KEY", "state": "absent", "password": "demo-password"}),
]
CONNECTION = {"username": "demo", "password": "demo-password"}


@pytest.fixture
def prepared(emulator, tmp_path):
    (tmp_path / "home").mkdir()
    impt = Impt(tmp_path, tmp_path / "home", emulator.base_url)
    impt.login("demo", "demo-password", "--local")
    (tmp_path / "d.nut").write_text('server.log("v1");\n', encoding="utf-8")
    impt.ok("product", "create", "-n", "P")
    impt.ok("dg", "create", "-n", "G", "-p", "P")
    impt.ok("build", "deploy", "-g", "G", "-x", "d.nut")
    impt.ok("device", "assign", "-d", "sensor-1", "-g", "G")
    impt.ok("webhook", "create", "-g", "G", "--url", "http://127.0.0.1:9/d", "--event", "deployment", "--mime", "json")
    key = impt.ok("loginkey", "create", "--pwd", "demo-password", "-z", "json").json
    emulator.clear_requests()
    return key


@pytest.mark.parametrize(("module", "args"), CASES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CASES)])
def test_module_check_mode_writes_nothing(module, args, prepared, emulator, monkeypatch, tmp_path):
    patch_module_exits(monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("IMPT_AUTH_FILE_PATH", raising=False)
    if args.get("key_id") == "KEY":
        args = {**args, "key_id": _key_id(prepared)}
    result = run_module(module, {**args, **CONNECTION, "endpoint": emulator.base_url}, check=True)
    assert not result.get("failed"), result
    assert result["changed"] is True, result
    assert writes(emulator.requests()) == []


def _key_id(answer) -> str:
    found = answer[0] if isinstance(answer, list) else answer
    for value in (found.get("id"), (found.get("LoginKey") or {}).get("id"), (found.get("Login Key") or {}).get("id")):
        if value:
            return value
    raise AssertionError(f"no login key id in {answer}")


def test_roles_check_mode_writes_nothing(emulator, tmp_path):
    env = ansible_env(emulator.base_url, tmp_path)
    prepared = playbook(PLAYBOOKS / "demo_release_candidates.yml", env)
    assert prepared.code == 0, prepared.tail()
    for name in ("factory_setup.yml", "release_promotion.yml"):
        emulator.clear_requests()
        run = playbook(PLAYBOOKS / name, env, "--check")
        assert writes(emulator.requests()) == [], f"{name}\n{run.tail()}"
        if name == "factory_setup.yml":
            assert run.code == 0 and run.changed > 0, run.tail()
