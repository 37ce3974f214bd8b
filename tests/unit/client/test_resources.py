"""Resource helpers: attributes, relationships (bare and {"data": ...} forms), refs, the group-type table."""

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import DG_TYPE_NAMES, DG_TYPES
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (
    DEVICE_GROUP_TYPES,
    api_dg_type,
    as_ref,
    attr,
    attributes,
    dg_type,
    flatten,
    has_target,
    kind_of,
    label,
    ref,
    rel_id,
    targets,
    type_name,
)

GROUP = {
    "type": "factoryfixture_devicegroup",
    "id": "g1",
    "attributes": {"name": "FF", "description": None},
    "relationships": {
        "product": {"type": "product", "id": "p1"},
        "production_target": {"data": {"type": "production_devicegroup", "id": "g2"}},
        "dut_target": None,
    },
}


def test_attributes_and_relationships():
    assert attr(GROUP, "name") == "FF" and attr(GROUP, "description", "-") == "-"
    assert attributes(None) == {} and attributes({"id": "x"}) == {}
    assert rel_id(GROUP, "product") == "p1" and rel_id(GROUP, "production_target") == "g2"
    assert rel_id(GROUP, "dut_target") is None and rel_id(None, "product") is None
    assert targets(GROUP) == {"production_target": "g2"} and has_target(GROUP)


def test_refs():
    assert ref(GROUP) == {"type": "factoryfixture_devicegroup", "id": "g1"}
    assert as_ref("p1", "product") == {"type": "product", "id": "p1"}


def test_the_one_table_of_group_types():
    assert len(DEVICE_GROUP_TYPES) == 7
    assert DG_TYPES["pre-factory"] == "pre_factoryfixture_devicegroup" and DG_TYPE_NAMES["dut_devicegroup"] == "dut"
    factory = dg_type(GROUP)
    assert factory.name == "factory" and factory.targets["production_target"] == "production_devicegroup"
    assert dg_type("production").unbond_key and not dg_type("pre-production").unbond_key
    assert {t.name for t in DEVICE_GROUP_TYPES if t.production} == {"production", "pre-production"}
    assert api_dg_type(["development", "dut_devicegroup", "other"]) == [
        "development_devicegroup",
        "dut_devicegroup",
        "other",
    ]
    assert type_name(GROUP) == "factory" and type_name({"type": "product"}) == "product"


def test_kinds_labels_and_flat_views():
    assert kind_of(GROUP) == "device_group" and kind_of("loginkey") == "login_key" and kind_of("x") is None
    assert label("device_group") == "Device Group"
    assert flatten(GROUP) == {
        "id": "g1",
        "type": "factory",
        "name": "FF",
        "description": None,
        "product": "p1",
        "production_target": "g2",
        "dut_target": None,
    }
