"""Deletes through the modules, against the emulator: refused before any write, and convergent when half the
answers to writes are lost (the emulator's ``lost_answer_rate``): a write the transport sends again after a lost
answer finds its entity gone (404), which the shared delete plan counts as done. Groups and products (forced,
with devices and flagged deployments), devices (assigned, removed with force), webhooks and login keys."""

from __future__ import annotations

import pytest
from relsuite import Impt, duplicates, patch_module_exits, run_module, state_by_name, writes

CONNECTION = {"username": "demo", "password": "demo-password"}


@pytest.fixture
def modules(emulator, monkeypatch, tmp_path):
    """``run(name, args, check=False)``: a module in-process against the emulator."""
    patch_module_exits(monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("IMPT_AUTH_FILE_PATH", raising=False)

    def run(name: str, args: dict, check: bool = False) -> dict:
        return run_module(name, {**args, **CONNECTION, "endpoint": emulator.base_url}, check=check)

    return run


@pytest.fixture
def impt(emulator, tmp_path):
    (tmp_path / "home").mkdir()
    console = Impt(tmp_path, tmp_path / "home", emulator.base_url)
    console.login("demo", "demo-password", "--local")
    (tmp_path / "d.nut").write_text('server.log("v1");\n', encoding="utf-8")
    return console


@pytest.fixture
def factory_line(impt, emulator):
    """Product P: PROD (production, one flagged deployment) and DUT, targeted by the factory group FF;
    DEV (development) with a device and a flagged deployment."""
    impt.ok("product", "create", "-n", "P")
    impt.ok("dg", "create", "-n", "PROD", "-p", "P", "-y", "production")
    impt.ok("dg", "create", "-n", "DUT", "-p", "P", "-y", "dut")
    impt.ok("dg", "create", "-n", "FF", "-p", "P", "-y", "factory", "-t", "PROD", "-u", "DUT")
    impt.ok("build", "deploy", "-g", "PROD", "-f", "-x", "d.nut")
    impt.ok("dg", "create", "-n", "DEV", "-p", "P")
    impt.ok("build", "deploy", "-g", "DEV", "-f", "-x", "d.nut")
    impt.ok("device", "assign", "-d", "sensor-1", "-g", "DEV")
    emulator.clear_requests()


TARGET = {"name": "PROD", "product": "P", "state": "absent", "force": True}
REFUSED = [
    ("device_group", TARGET, 'is the production target of Device Group "FF"'),
    ("device_group", {"name": "DEV", "product": "P", "state": "absent"}, "has 1 device(s)"),
    ("product", {"name": "P", "state": "absent"}, "has Device Groups"),
    ("product", {"name": "P", "state": "absent", "builds": True}, "has Device Groups"),
    ("device", {"device": "sensor-1", "state": "absent"}, 'is assigned to Device Group "'),
]


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
@pytest.mark.parametrize(
    ("module", "args", "reason"), REFUSED, ids=[f"{m}-{i}" for i, (m, _a, _r) in enumerate(REFUSED)]
)
def test_a_delete_the_api_would_refuse_fails_before_any_write(
    modules, emulator, factory_line, module, args, reason, check
):
    before = state_by_name(emulator.base_url)
    result = modules(module, args, check=check)
    assert result["failed"] is True and result["changed"] is False, result
    assert "Nothing was deleted: " in result["msg"] and reason in result["msg"], result["msg"]
    assert any(reason in r for r in result["reasons"])
    assert writes(emulator.requests()) == []
    assert state_by_name(emulator.base_url) == before


def test_a_refused_product_delete_shows_impcentral_title_first(modules, emulator, factory_line):
    # Wording: impCentral's refusal (impcentral-api §13), as impt 2.6.1 prints it (issue 23).
    result = modules("product", {"name": "P", "state": "absent"})
    assert result["msg"].startswith(
        "Dependent Devicegroups Exist: Cannot delete a product with associated devicegroups. Nothing was deleted: "
    ), result["msg"]


def test_the_refusal_lists_every_reason_at_once(modules, emulator, factory_line):
    result = modules("device_group", {"name": "DEV", "product": "P", "state": "absent"})
    assert len(result["reasons"]) == 2  # the device and the flagged deployment
    assert writes(emulator.requests()) == []


def test_deleting_the_targeting_group_too_is_allowed(modules, emulator, factory_line):
    """The whole product with force: the factory group goes first, then its targets; nothing is refused."""
    result = modules("product", {"name": "P", "state": "absent", "force": True, "builds": True})
    assert not result.get("failed"), result
    groups = [
        w for w in writes(emulator.requests()) if w.startswith("DELETE /v5/devicegroups/") and "relationships" not in w
    ]
    assert len(groups) == 4
    assert "P" not in state_by_name(emulator.base_url)["products"]


@pytest.mark.parametrize("seed", [3, 5, 8])
def test_forced_deletes_converge_when_half_the_answers_are_lost(modules, emulator, factory_line, seed):
    """Lost answers to unassign, unflag and delete: one run converges, with no error and nothing left over."""
    emulator.admin("PUT", "faults", {"lost_answer_rate": 0.5, "seed": seed})
    group = modules("device_group", {"name": "DEV", "product": "P", "state": "absent", "force": True})
    product = modules("product", {"name": "P", "state": "absent", "force": True, "builds": True})
    log = emulator.requests()
    emulator.admin("DELETE", "faults")
    assert not group.get("failed"), group
    assert not product.get("failed"), product
    assert group["changed"] is True and product["changed"] is True
    assert any(r.get("answer_lost") for r in log)
    state = state_by_name(emulator.base_url)
    assert "P" not in state["products"]
    assert not [g for g in state["devicegroups"] if g.startswith("P/")]
    assert state["devices"]["sensor-1"] is None  # unassigned, still in the account
    assert duplicates(state) == {}
    again = modules("product", {"name": "P", "state": "absent", "force": True, "builds": True})
    assert again["changed"] is False


# -- devices, webhooks and login keys: the same plan, preflight and 404 policy -----------------------------

SEEDS = range(6)  # seeds of the emulator's fault generator; at least one must lose the answer to the DELETE


def _deletes_of(log: list, path: str) -> list:
    """`DELETE <path> <status>` of the request log, in order (a lost answer shows as its retry's status)."""
    return [w for w in writes(log) if w.startswith(f"DELETE {path} ")]


def _delete_under_lost_answers(emulator, seed: int, run) -> list:
    """``run()`` (a delete that must succeed and change something) with half the answers to writes lost."""
    emulator.clear_requests()
    emulator.admin("PUT", "faults", {"lost_answer_rate": 0.5, "seed": seed})
    try:
        result = run()
        log = emulator.requests()
    finally:
        emulator.admin("DELETE", "faults")
    assert not result.get("failed"), result
    assert result["changed"] is True, result
    return log


def test_a_device_removed_with_force_converges_when_answers_are_lost(modules, emulator, impt, factory_line):
    """Unassign, then remove: a write whose answer was lost is sent again, meets 404, and counts as done."""
    retried = 0
    for seed in SEEDS:
        name = f"lossy-{seed}"
        device = emulator.add_device(name=name)
        impt.ok("device", "assign", "-d", name, "-g", "DEV")
        log = _delete_under_lost_answers(
            emulator, seed, lambda n=name: modules("device", {"device": n, "state": "absent", "force": True})
        )
        assert name not in state_by_name(emulator.base_url)["devices"]
        assert any(w.startswith("DELETE /v5/devicegroups/") for w in writes(log))  # unassigned before the remove
        retried += any(w.endswith(" 404") for w in _deletes_of(log, f"/v5/devices/{device['id']}"))
        again = modules("device", {"device": device["id"], "state": "absent", "force": True})
        assert again["changed"] is False and not again.get("failed"), again
    assert retried, "no seed lost the answer to a device's DELETE: the already-gone path was not exercised"


def test_a_webhook_delete_converges_when_answers_are_lost(modules, emulator, factory_line):
    retried = 0
    for seed in SEEDS:
        hook = {"device_group": "{demo}{P}{DEV}", "event": "deployment", "url": f"http://127.0.0.1:9/hook-{seed}"}
        created = modules("webhook", hook)
        assert created["changed"] is True, created
        hook_id = created["webhook"]["id"]
        log = _delete_under_lost_answers(emulator, seed, lambda h=hook: modules("webhook", {**h, "state": "absent"}))
        assert not state_by_name(emulator.base_url)["webhooks"]
        retried += any(w.endswith(" 404") for w in _deletes_of(log, f"/v5/webhooks/{hook_id}"))
        assert modules("webhook", {**hook, "state": "absent"})["changed"] is False
    assert retried, "no seed lost the answer to a webhook's DELETE: the already-gone path was not exercised"


def test_a_login_key_delete_converges_when_answers_are_lost(modules, emulator):
    """The emulator's request log hides login key ids (they are credentials): one key is deleted per seed."""
    retried = 0
    for seed in SEEDS:
        created = modules("login_key", {"description": f"ci key {seed}"})
        key_id = created["key_id"]
        log = _delete_under_lost_answers(
            emulator, seed, lambda k=key_id: modules("login_key", {"key_id": k, "state": "absent"})
        )
        retried += any(w.endswith(" 404") for w in _deletes_of(log, "/v5/accounts/me/login_keys/[hidden]"))
        assert modules("login_key", {"key_id": key_id, "state": "absent"})["changed"] is False
    assert retried, "no seed lost the answer to a login key's DELETE: the already-gone path was not exercised"


@pytest.mark.parametrize("check", [True, False], ids=["check", "real"])
def test_a_login_key_delete_without_the_account_password_fails_before_any_write(modules, emulator, check):
    """Logged in with a login key, there is no password to send: refused in check mode and for real alike."""
    key_id = modules("login_key", {"description": "the one to keep"})["key_id"]
    other = modules("login_key", {"description": "the one to delete"})["key_id"]
    emulator.clear_requests()
    args = {"key_id": other, "state": "absent", "login_key": key_id, "endpoint": emulator.base_url}
    result = run_module("login_key", args, check=check)
    assert result["failed"] is True and result["changed"] is False, result
    assert "needs the account password" in result["msg"], result["msg"]
    assert writes(emulator.requests()) == []
    assert other not in result["msg"] and key_id not in str(result)
