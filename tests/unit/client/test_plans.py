"""Delete plans: one read of the state, every refusal before the first write, impt's order, one 404 policy."""

import json

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import PermissionDeniedError
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import (
    plan_device_group_delete,
    plan_product_delete,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.plans import (
    DONE,
    GONE,
    IMPLIED,
    DeletePlan,
    DeleteRefusedError,
)
from client_helpers import BASE, body_of, path_of, query_of

P = "11111111-0000-0000-0000-000000000001"
PROD, DUT, FF, DEV = (f"22222222-0000-0000-0000-00000000000{n}" for n in range(1, 5))


def rel(kind, rid):
    return {"type": kind, "id": rid}


def group(rid, name, kind="development_devicegroup", **targets):
    rels = {"product": rel("product", P)}
    rels.update({name_: rel("x", target) for name_, target in targets.items()})
    return {"type": kind, "id": rid, "attributes": {"name": name}, "relationships": rels}


def device(rid, dg=None, dg_type="development_devicegroup"):
    rels = {"devicegroup": rel(dg_type, dg)} if dg else {}
    return {"type": "device", "id": rid, "attributes": {"name": rid}, "relationships": rels}


def deployment(rid, dg=None, flagged=False):
    rels = {"devicegroup": rel("development_devicegroup", dg)} if dg else {}
    return {"type": "deployment", "id": rid, "attributes": {"flagged": flagged}, "relationships": rels}


PRODUCT = {"type": "product", "id": P, "attributes": {"name": "P"}, "relationships": {}}
LINE = [
    group(PROD, "PROD", "production_devicegroup"),
    group(DUT, "DUT", "dut_devicegroup"),
    group(FF, "FF", "factoryfixture_devicegroup", production_target=PROD, dut_target=DUT),
    group(DEV, "DEV"),
]


def page(*items):
    return {"data": list(items), "links": {}}


def lists(rsps, groups=(), devices=(), deployments=()):
    rsps.add("GET", f"{BASE}/devicegroups", json=page(*groups))
    rsps.add("GET", f"{BASE}/devices", json=page(*devices))
    rsps.add("GET", f"{BASE}/deployments", json=page(*deployments))


def writes(rsps):
    return [(c.request.method, path_of(c)) for c in rsps.calls if c.request.method != "GET"]


def test_a_target_group_is_refused_with_every_reason_and_no_write(rsps, client):
    lists(rsps, LINE, [device("d1", PROD, "production_devicegroup")], [deployment("b1", PROD, flagged=True)])
    plan = plan_device_group_delete(client, LINE[0], force=True)
    reasons = plan.preflight()
    assert reasons == [
        f'Device Group "PROD" ({PROD}) is the production target of Device Group "FF" ({FF}), which is not deleted.',
        f'Device Group "{PROD}" is a production group: unassigning its devices (d1) needs their unbond key.',
    ]
    with pytest.raises(DeleteRefusedError, match=r"^Nothing was deleted: Device Group \"PROD\""):
        plan.execute(client)
    assert writes(rsps) == [] and plan.outcomes == []
    assert [query_of(c) for c in rsps.calls][0]["filter[product.id]"] == P  # siblings read once


def test_without_force_devices_and_flagged_deployments_are_refused(rsps, client):
    lists(rsps, LINE, [device("d1", DEV)], [deployment("b1", DEV, flagged=True)])
    reasons = plan_device_group_delete(client, LINE[3]).preflight()
    assert len(reasons) == 2 and "has 1 device(s) (d1)" in reasons[0] and "flagged deployments (b1)" in reasons[1]
    # impCentral's words for the refusals it names (impcentral-api §13), before ours (issue 23)
    assert str(DeleteRefusedError(reasons)).startswith(
        "Flagged Deployments Exist: Cannot delete a devicegroup with flagged deployments; delete those first. "
        "Nothing was deleted: Device Group "
    )


def test_refusals_carry_impcentrals_title_and_detail_once(rsps, client):
    rsps.add("GET", f"{BASE}/devicegroups", json=page(*LINE))
    rsps.add("GET", f"{BASE}/deployments", json=page(deployment("z1", flagged=True), deployment("z2", flagged=True)))
    reasons = plan_product_delete(client, PRODUCT, builds=True).preflight()
    assert str(DeleteRefusedError(reasons)) == (
        "Dependent Devicegroups Exist: Cannot delete a product with associated devicegroups. "
        "Resource Flagged: You cannot delete flagged deployments; set the flagged attribute to false and try again. "
        f"Nothing was deleted: {' '.join(reasons)}"
    )


def test_product_without_force_keeps_its_groups_and_is_refused(rsps, client):
    rsps.add("GET", f"{BASE}/devicegroups", json=page(*LINE))
    plan = plan_product_delete(client, PRODUCT)
    assert plan.preflight() == [
        f'Product "P" ({P}) has Device Groups (PROD, DUT, FF, DEV); use force to delete them too.'
    ]


def test_flagged_zombie_build_without_force_is_refused(rsps, client):
    rsps.add("GET", f"{BASE}/devicegroups", json=page())
    rsps.add("GET", f"{BASE}/deployments", json=page(deployment("z1", flagged=True)))
    reasons = plan_product_delete(client, PRODUCT, builds=True).preflight()
    assert reasons == ['Deployment "z1" is flagged; use force to unflag it before deleting it.']


def test_forced_product_delete_runs_in_impt_order_and_reports_what_was_done(rsps, client):
    devices = [device("d1", DEV), device("d2", PROD, "production_devicegroup")]
    builds = [deployment("b1", DEV, flagged=True), deployment("z1")]
    lists(rsps, LINE, devices, builds)
    plan = plan_product_delete(client, PRODUCT, force=True, builds=True, unbond_key="k" * 32)
    assert plan.preflight() == []
    for path in (f"/devicegroups/{PROD}/relationships/devices", f"/devicegroups/{DEV}/relationships/devices"):
        rsps.add("DELETE", f"{BASE}{path}", status=204)
    rsps.add("PATCH", f"{BASE}/deployments/b1", json={"data": deployment("b1", DEV)})
    for rid in (FF, PROD, DUT, DEV):
        rsps.add("DELETE", f"{BASE}/devicegroups/{rid}", status=204)
    rsps.add("DELETE", f"{BASE}/products/{P}", status=204)
    rsps.add("DELETE", f"{BASE}/deployments/z1", status=204)
    outcomes = plan.execute(client)
    assert writes(rsps) == [
        ("DELETE", f"/v5/devicegroups/{PROD}/relationships/devices"),
        ("DELETE", f"/v5/devicegroups/{DEV}/relationships/devices"),
        ("PATCH", "/v5/deployments/b1"),
        ("DELETE", f"/v5/devicegroups/{FF}"),  # the group with targets first
        ("DELETE", f"/v5/devicegroups/{PROD}"),
        ("DELETE", f"/v5/devicegroups/{DUT}"),
        ("DELETE", f"/v5/devicegroups/{DEV}"),
        ("DELETE", f"/v5/products/{P}"),
        ("DELETE", "/v5/deployments/z1"),  # b1 went with its group: no request
    ]
    unassign = [c for c in rsps.calls if path_of(c).endswith(f"{PROD}/relationships/devices")][0]
    assert unassign.request.headers["X-Electricimp-Key"] == "k" * 32
    assert (
        "X-Electricimp-Key"
        not in [c for c in rsps.calls if path_of(c).endswith(f"{DEV}/relationships/devices")][0].request.headers
    )
    assert body_of(unassign) == {"data": [{"type": "device", "id": "d2"}]}
    assert [o.result for o in outcomes].count(IMPLIED) == 1
    assert plan.summary(done_only=True) == {
        "device_groups": [FF, PROD, DUT, DEV],
        "devices_unassigned": ["d2", "d1"],
        "deployments_unflagged": ["b1"],
        "deployments": ["b1", "z1"],
    }


def test_already_gone_is_done_even_after_a_retried_step(rsps, client):
    """A 404, or a 400 whose errors are all 404s (the unassign retried after a lost answer), is `gone`."""
    lists(rsps, [LINE[3]], [device("d1", DEV)], [])
    plan = plan_device_group_delete(client, LINE[3], force=True)
    not_assigned = {"errors": [{"status": "404", "title": "Not Found", "detail": "not assigned"}]}
    rsps.add("DELETE", f"{BASE}/devicegroups/{DEV}/relationships/devices", json=not_assigned, status=400)
    rsps.add("DELETE", f"{BASE}/devicegroups/{DEV}", json={"errors": [{"status": "404"}]}, status=404)
    seen = []
    plan.execute(client, on_step=seen.append)
    assert [(o.step.action, o.result) for o in seen] == [("unassign", GONE), ("delete", GONE)]


def test_a_failure_mid_way_reports_only_what_was_done(rsps, client):
    lists(rsps, [LINE[3]], [device("d1", DEV)], [deployment("b1", DEV, flagged=True)])
    plan = plan_device_group_delete(client, LINE[3], force=True)
    rsps.add("DELETE", f"{BASE}/devicegroups/{DEV}/relationships/devices", status=204)
    denied = {"errors": [{"status": "403", "title": "Forbidden"}]}
    rsps.add("PATCH", f"{BASE}/deployments/b1", json=denied, status=403)
    with pytest.raises(PermissionDeniedError):
        plan.execute(client)
    assert [(o.step.action, o.result) for o in plan.outcomes] == [("unassign", DONE)]
    assert plan.summary(done_only=True)["devices_unassigned"] == ["d1"]
    assert plan.summary()["device_groups"] == [DEV]  # the plan itself is unchanged


def test_a_front_end_rule_stops_the_plan_before_any_write(rsps, client):
    plan = DeletePlan()
    plan.delete("webhook", {"type": "webhook", "id": "w1"})
    plan.refuse("Webhook w1 is needed by the release job.")
    with pytest.raises(DeleteRefusedError, match="needed by the release job"):
        plan.execute(client)
    assert len(rsps.calls) == 0


def test_removing_a_production_device_is_refused(client):
    plan = DeletePlan()
    plan.remove_device(device("d9", PROD, "production_devicegroup"))
    assert plan.preflight() == ['Device "d9" is in a production Device Group and cannot be removed.']
    plan.unassign_device(device("d9", PROD, "production_devicegroup"))
    assert "cannot be removed" not in " ".join(plan.preflight())


def test_steps_are_renderer_neutral(rsps, client):
    lists(rsps, [LINE[3]], [device("d1", DEV)], [deployment("b1", DEV, flagged=True)])
    plan = plan_device_group_delete(client, LINE[3], force=True, shown="DEV")
    assert [(s.action, s.kind, s.shown) for s in plan.steps()] == [
        ("unassign", "device_group", DEV),
        ("unflag", "deployment", "b1"),
        ("delete", "device_group", "DEV"),
    ]
    assert json.dumps([s.resource["id"] for s in plan.steps()])  # plain data, nothing to fetch
