"""workflows/targets.py (devices + groups -> device ids) and workflows/group_types.py (the type rules read
from the one table of seven types; the types' rules: impCentral API v5 spec §6 and impt's dg create help)."""

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import EntityNotFoundError
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import group_types
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.targets import device_targets
from client_helpers import BASE, path_of, query_of
from test_plans import device, group, page

GID = "33333333-0000-0000-0000-000000000001"


def test_devices_then_group_members_in_order_without_duplicates(rsps, client):
    found = {
        ("device", "a"): {"id": "d1"},
        ("device_group", "G"): group(GID, "G"),
        ("device_group", "E"): group("e", "E"),
    }
    rsps.add("GET", f"{BASE}/devices", json=page(device("d2", GID), device("d1", GID)))
    rsps.add("GET", f"{BASE}/devices", json=page())
    targets = device_targets(client, ["a"], ["G", "E"], find=lambda kind, value: found[(kind, value)])
    assert targets.device_ids == ["d1", "d2"] and targets.empty_groups == ["E"] and targets.missing == []
    assert [query_of(c)["filter[devicegroup.id]"] for c in rsps.calls] == [GID, "e"]


def test_every_identifier_is_resolved_before_the_first_listing(rsps, client):
    """A typo in the last group fails before any group is listed (default finder: identify.one)."""
    rsps.add("GET", f"{BASE}/devicegroups", json=page(group(GID, "G")))
    rsps.add("GET", f"{BASE}/devicegroups", json=page(group(GID, "G")))
    with pytest.raises(EntityNotFoundError, match='Device Group "nope" is not found'):
        device_targets(client, [], ["G", "nope"])
    assert [path_of(c) for c in rsps.calls] == ["/v5/devicegroups", "/v5/devicegroups"]


def test_resolved_groups_and_a_finder_that_notes_missing_values(rsps, client):
    rsps.add("GET", f"{BASE}/devices", json=page(device("d1", GID)))
    targets = device_targets(client, ["gone"], [group(GID, "G")], find=lambda kind, value: None)
    assert targets.device_ids == ["d1"] and targets.missing == [("device", "gone")]


def test_options_each_type_takes():
    assert [t.name for t in group_types.types_allowing("region")] == ["pre-production", "production"]
    assert [t.name for t in group_types.types_allowing("dut_target")] == ["pre-factory", "factory"]
    given = ["production_target", "region", "load_code_after_blessing"]
    assert group_types.refused_options("development", given) == given
    assert group_types.refused_options("factory_devicegroup", given) == []  # unknown API type: no rule applies
    assert group_types.refused_options("factoryfixture_devicegroup", given) == ["region", "load_code_after_blessing"]
    assert group_types.refused_options("production", given) == ["production_target"]
    assert group_types.required_targets("pre-factory") == ("production_target", "dut_target")
    assert group_types.required_targets("development") == ()


def test_a_targets_type_and_product():
    production = group("t1", "T", "production_devicegroup")
    assert group_types.target_problem("factory", "production_target", production, "another product") == "product"
    assert group_types.target_problem("factory", "dut_target", production, None) == "type"
    same_product = production["relationships"]["product"]["id"]
    assert group_types.target_problem("factory", "production_target", production, same_product) is None
    assert group_types.target_type("pre-factory", "production_target").name == "pre-production"
    assert "production_devicegroup" in group_types.TARGET_TYPES and "dut_devicegroup" in group_types.TARGET_TYPES
