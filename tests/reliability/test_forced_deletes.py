"""Forced deletes through the modules, against the emulator: refused before any write, and convergent
when half the answers to writes are lost (the emulator's ``lost_answer_rate``)."""

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
    assert result["msg"].startswith("Nothing was deleted: ") and reason in result["msg"], result["msg"]
    assert any(reason in r for r in result["reasons"])
    assert writes(emulator.requests()) == []
    assert state_by_name(emulator.base_url) == before


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
