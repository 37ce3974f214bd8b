"""The delete builders of workflows/deletes.py beyond groups and products (test_plans.py): deployments with
force, zombie and old builds, device removal, webhooks, login keys, a project's entities. Expected refusals
and orders: impt-behaviour §7 and the API's own rules (CX004 flagged, an assigned device needs force)."""

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import (
    ASSIGNED_DEVICE,
    plan_config_entities_delete,
    plan_deployment_delete,
    plan_device_remove,
    plan_login_key_delete,
    plan_old_builds_cleanup,
    plan_webhook_delete,
    plan_zombie_builds_delete,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.plans import DONE, GONE
from client_helpers import BASE, body_of, path_of, query_of
from test_plans import P, device, group, page, writes

NOT_FOUND = {"errors": [{"status": "404", "code": "NF001", "title": "Resource Not Found", "detail": "gone"}]}


def build(rid, dg=None, flagged=False, created="2026-01-01T00:00:00Z"):
    rels = {"devicegroup": {"type": "development_devicegroup", "id": dg}} if dg else {}
    attrs = {"flagged": flagged, "created_at": created}
    return {"type": "deployment", "id": rid, "attributes": attrs, "relationships": rels}


def test_a_flagged_deployment_is_refused_without_force_and_unflagged_first_with_it(rsps, client):
    flagged = build("b1", "g1", flagged=True)
    assert plan_deployment_delete(flagged).preflight() == [
        'Deployment "b1" is flagged; use force to unflag it before deleting it.'
    ]
    plan = plan_deployment_delete(flagged, force=True, shown="v1")
    rsps.add("PATCH", f"{BASE}/deployments/b1", json={"data": build("b1", "g1")})
    rsps.add("DELETE", f"{BASE}/deployments/b1", status=204)
    assert [(o.step.action, o.result) for o in plan.execute(client)] == [("unflag", DONE), ("delete", DONE)]
    assert body_of(rsps.calls[0])["data"]["attributes"] == {"flagged": False}


def test_zombie_builds_are_the_deployments_without_a_group_from_one_listing(rsps, client):
    rsps.add("GET", f"{BASE}/deployments", json=page(build("z1"), build("b2", "g1"), build("z2", flagged=True)))
    plan = plan_zombie_builds_delete(client, product=P, unflag=True)
    assert query_of(rsps.calls[0])["filter[product.id]"] == P and "filter[flagged]" not in query_of(rsps.calls[0])
    assert [b["id"] for b in plan.deletes("deployment")] == ["z1", "z2"] and list(plan.unflag) == ["z2"]
    rsps.add("GET", f"{BASE}/deployments", json=page(build("b2", "g1")))
    assert plan_zombie_builds_delete(client).is_empty()
    assert query_of(rsps.calls[1])["filter[flagged]"] == "false"  # without unflag, flagged zombies stay


def test_old_builds_are_those_older_than_the_min_supported_deployment(rsps, client):
    g = dict(group("g1", "G"), relationships={"min_supported_deployment": {"type": "deployment", "id": "m"}})
    minimum = build("m", "g1", created="2026-03-01T00:00:00Z")
    old_flagged = build("o1", "g1", flagged=True, created="2026-01-01T00:00:00Z")
    new_flagged = build("n1", "g1", flagged=True, created="2026-04-01T00:00:00Z")
    old = build("o2", "g1", created="2026-02-01T00:00:00Z")
    rsps.add("GET", f"{BASE}/deployments", json=page(old_flagged, new_flagged))
    rsps.add("GET", f"{BASE}/deployments", json=page(old, minimum))
    cleanup = plan_old_builds_cleanup(client, g, unflag_old=True, remove=True, get_build=lambda _id: minimum)
    assert [b["id"] for b in cleanup.unflagged] == ["o1"]
    assert [b["id"] for b in cleanup.removable] == ["o2", "o1"]
    assert [s.action for s in cleanup.plan.steps()] == ["unflag", "delete", "delete"]
    assert cleanup.plan.preflight() == []


def test_an_assigned_device_is_refused_without_force_with_a_code_front_ends_can_word(client):
    plan = plan_device_remove(device("d1", "g1"), shown="sensor-1")
    assert plan.preflight() == ['Device "sensor-1" is assigned to Device Group "g1"; use force to unassign it first.']
    assert ASSIGNED_DEVICE in plan.refused


def test_a_production_device_needs_its_unbond_key_to_be_removed_with_force(rsps, client):
    production = device("d1", "g1", "production_devicegroup")
    assert "needs their unbond key" in plan_device_remove(production, force=True).preflight()[0]
    plan = plan_device_remove(production, force=True, unbond_key="k" * 32)
    assert plan.preflight() == []
    rsps.add("DELETE", f"{BASE}/devicegroups/g1/relationships/devices", status=204)
    rsps.add("DELETE", f"{BASE}/devices/d1", json=NOT_FOUND, status=404)  # someone removed it meanwhile
    outcomes = plan.execute(client)
    assert [(o.step.action, o.result) for o in outcomes] == [("unassign", DONE), ("remove", GONE)]
    assert rsps.calls[0].request.headers["X-Electricimp-Key"] == "k" * 32


def test_a_webhook_already_gone_is_done(rsps, client):
    plan = plan_webhook_delete({"type": "webhook", "id": "w1"}, shown="w1")
    rsps.add("DELETE", f"{BASE}/webhooks/w1", json=NOT_FOUND, status=404)
    assert [o.result for o in plan.execute(client)] == [GONE]


def test_a_login_key_delete_sends_the_password_asked_only_when_the_step_runs(rsps, client):
    asked = []

    def password():
        asked.append(True)
        return "secret-password"

    plan = plan_login_key_delete({"type": "login_key", "id": "0123456789abcdef"}, password=password)
    assert plan.preflight() == [] and asked == []
    rsps.add("DELETE", f"{BASE}/accounts/me/login_keys/0123456789abcdef", status=204)
    assert [o.result for o in plan.execute(client)] == [DONE]
    assert asked == [True]
    assert rsps.calls[0].request.headers["X-Electricimp-Password"] == "secret-password"


def test_a_projects_entities_are_its_group_its_unshared_targets_and_an_emptied_product(rsps, client):
    ff = group("ff", "FF", "pre_factoryfixture_devicegroup", production_target="pp", dut_target="pd")
    pp, pd = group("pp", "PP", "pre_production_devicegroup"), group("pd", "PD", "pre_dut_devicegroup")
    rsps.add("GET", f"{BASE}/devicegroups", json=page(ff, pp, pd))
    for _group in (ff, pp, pd):
        rsps.add("GET", f"{BASE}/devices", json=page())
        rsps.add("GET", f"{BASE}/deployments", json=page())
    product = {"type": "product", "id": P, "attributes": {"name": "P"}}
    plan = plan_config_entities_delete(client, ff, with_targets=True, get_product=lambda _id: product)
    assert [g["id"] for g in plan.deletes("device_group")] == ["ff", "pp", "pd"]
    assert plan.deletes("product") == [product]
    assert [path_of(c) for c in rsps.calls].count("/v5/devicegroups") == 1  # the siblings are read once
    assert plan_config_entities_delete(client, None, with_targets=True).is_empty()


@pytest.mark.parametrize("shared", [True, False])
def test_a_target_another_group_uses_stays(rsps, client, shared):
    ff = group("ff", "FF", "pre_factoryfixture_devicegroup", production_target="pp", dut_target="pd")
    other = group("f2", "F2", "pre_factoryfixture_devicegroup", production_target="pp", dut_target="px")
    pp, pd = group("pp", "PP", "pre_production_devicegroup"), group("pd", "PD", "pre_dut_devicegroup")
    siblings = (ff, pp, pd, other) if shared else (ff, pp, pd)
    rsps.add("GET", f"{BASE}/devicegroups", json=page(*siblings))
    doomed = 2 if shared else 3
    for _n in range(doomed):
        rsps.add("GET", f"{BASE}/devices", json=page())
        rsps.add("GET", f"{BASE}/deployments", json=page())
    if not shared:
        rsps.add("GET", f"{BASE}/products/{P}", json={"data": {"type": "product", "id": P}})
    plan = plan_config_entities_delete(client, ff, with_targets=True)
    assert ("pp" in [g["id"] for g in plan.deletes("device_group")]) is not shared
    assert bool(plan.deletes("product")) is not shared
    assert writes(rsps) == []
