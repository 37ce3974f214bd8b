"""The model layer: only the models write, one table of group types, observers, seeds by the rules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from impcentral_emulator.config import EmulatorConfig
from impcentral_emulator.errors import ApiError
from impcentral_emulator.models import Models, Observer
from impcentral_emulator.seeds import SeedError, load_seed
from impcentral_emulator.store import Store

PACKAGE = Path(__file__).resolve().parents[2] / "impcentral_emulator"
WRITES = {"put", "delete", "append_log", "clear"}


def _store_writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            target = node.func.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name == "store":
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_only_the_models_write_to_the_store():
    outside = [
        p for p in PACKAGE.rglob("*.py") if "models" not in p.relative_to(PACKAGE).parts and p.name != "store.py"
    ]
    assert [hit for path in outside for hit in _store_writes(path)] == []


def test_group_type_names_live_in_one_table():
    spelled = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.name != "grouptypes.py" and '_devicegroup"' in p.read_text(encoding="utf-8")
    ]
    assert spelled == []


class Recorder(Observer):
    def __init__(self) -> None:
        self.seen: list[tuple] = []
        self.refuse = False

    def device_online(self, device, online):
        self.seen.append(("online", device["name"], online))

    def device_assigned(self, device, group):
        self.seen.append(("assigned", device["name"], group["name"]))

    def device_unassigned(self, device, group):
        self.seen.append(("unassigned", device["name"], group["name"]))

    def device_restarted(self, device, group):
        self.seen.append(("restarted", device["name"], group["name"]))

    def device_logged(self, device, entry):
        self.seen.append(("logged", device["name"], entry["msg"]))

    def validate_deployment(self, group, device_code, agent_code):
        if self.refuse:
            raise ApiError(400, "CX005", "Compilation Error", "The code failed to compile.")

    def deployment_created(self, deployment, group):
        self.seen.append(("deployment", group["name"], deployment["device_code"]))

    def current_deployment_changed(self, group, deployment):
        self.seen.append(("current", group["name"], deployment["id"] if deployment else None))


@pytest.fixture
def models() -> Models:
    result = Models(Store(), EmulatorConfig())
    load_seed(result, "demo")
    return result


def test_observers_hear_every_device_and_deployment_event(models):
    recorder = Recorder()
    models.events.subscribe(recorder)
    demo = models.accounts.find("demo")
    product = models.products.create(demo, "P", None)
    group = models.devicegroups.create(demo, product, "development_devicegroup", "G", {}, {})
    other = models.devicegroups.create(demo, product, "development_devicegroup", "H", {}, {})
    device = models.devices.find(next(d["id"] for d in models.store.values("device") if d["name"] == "sensor-1"))
    models.devices.assign_many(demo, group, [device["id"]])
    dep = models.deployments.create(demo, group, {"device_code": 'server.log("hi");'})
    models.devices.restart(device)
    models.devices.log(device, "server.log", "line")
    models.devices.set_online(device, False)
    models.devices.assign_many(demo, other, [device["id"]])
    models.devices.unassign_many(demo, other, [device["id"]], None)
    assert recorder.seen == [
        ("assigned", "sensor-1", "G"),
        ("current", "G", dep["id"]),
        ("deployment", "G", 'server.log("hi");'),
        ("restarted", "sensor-1", "G"),
        ("logged", "sensor-1", "line"),
        ("online", "sensor-1", False),
        ("unassigned", "sensor-1", "G"),
        ("assigned", "sensor-1", "H"),
        ("unassigned", "sensor-1", "H"),
    ]
    recorder.refuse = True
    with pytest.raises(ApiError) as refused:
        models.deployments.create(demo, group, {"device_code": "bad"})
    assert refused.value.code == "CX005"
    assert [d["device_code"] for d in models.store.values("deployment")] == ['server.log("hi");']


def _seed(tmp_path: Path, text: str) -> str:
    path = tmp_path / "seed.yml"
    path.write_text(text, encoding="utf-8")
    return str(path)


ACCOUNTS = "accounts:\n  - {username: a, password: pw, production: false}\nproducts:\n  - {name: P, owner: a}\n"


@pytest.mark.parametrize(
    ("extra", "refusal"),
    [
        ("devicegroups:\n  - {name: Prod, product: P, type: production}\n", "no production rights"),
        ("devicegroups:\n  - {name: G, product: P}\n  - {name: G, product: P}\n", "unique names"),
        (
            "devicegroups:\n  - {name: G, product: P}\ndeployments:\n  - {devicegroup: G, device_code: 'f(('}\n",
            "rule of impCentral",
        ),
        ("devices:\n  - {owner: a, colour: red}\n", "Unknown device attribute"),
    ],
)
def test_seeds_follow_the_rules_of_the_api(tmp_path, extra, refusal):
    models = Models(Store(), EmulatorConfig())
    with pytest.raises(SeedError, match=refusal):
        load_seed(models, _seed(tmp_path, ACCOUNTS + extra))


def test_a_seeded_fleet_is_placed_running_its_code(tmp_path):
    seed = (
        "accounts:\n  - {username: a, password: pw, production: true}\nproducts:\n  - {name: P, owner: a}\n"
        "devicegroups:\n  - {name: Prod, product: P, type: production}\n  - {name: DUT, product: P, type: dut}\n"
        "  - {name: F, product: P, type: factory, production_target: Prod, dut_target: DUT}\n"
        "deployments:\n  - {devicegroup: P/Prod, device_code: 'server.log(\"v1\");', min_supported: true}\n"
        "devices:\n  - {owner: a, name: d1, devicegroup: Prod}\n"
    )
    models = Models(Store(), EmulatorConfig())
    load_seed(models, _seed(tmp_path, seed))
    device = next(iter(models.store.values("device")))
    group = models.store.get("devicegroup", device["devicegroup_id"])
    assert group["name"] == "Prod"
    assert device["running_deployment_id"] == group["current_deployment_id"] == group["min_supported_deployment_id"]


def test_a_seeded_zombie_has_no_group_and_leaves_the_current_deployment(tmp_path):
    seed = ACCOUNTS + (
        "devicegroups:\n  - {name: G, product: P}\n"
        "deployments:\n  - {devicegroup: G, id: kept}\n  - {devicegroup: G, id: zombie, zombie: true}\n"
    )
    models = Models(Store(), EmulatorConfig())
    load_seed(models, _seed(tmp_path, seed))
    group = next(iter(models.store.values("devicegroup")))
    assert models.store.get("deployment", "zombie")["devicegroup_id"] is None
    assert models.store.get("deployment", "zombie")["product_id"] == group["product_id"]
    assert group["current_deployment_id"] == "kept"
