"""device_group: four runs for create, update (env vars, targets, min supported), delete with force."""

from imp_playback import (
    DELETE,
    DEP,
    DEV,
    DG,
    DG2,
    GET,
    ME,
    PATCH,
    POST,
    PRODUCT,
    PUT,
    both_modes_fail,
    deployment,
    four_runs,
    group,
    one,
    page,
    playback,
    product,
    resource,
)

PRODUCT_LOOKUP = GET("/products", page(product()))
DG3 = "cccccccc-0000-0000-0000-000000000003"
OTHER3 = "bbbbbbbb-0000-0000-0000-000000000003"


def test_create(auth_file):
    args = {"name": "dev", "product": "Thermostat", "env_vars": {"A": 1}, "auth_file": auth_file}
    body = {
        "data": {
            "type": "development_devicegroup",
            "attributes": {"name": "dev", "env_vars": {"A": 1}},
            "relationships": {"product": {"type": "product", "id": PRODUCT}},
        }
    }
    first = [
        PRODUCT_LOOKUP,
        GET("/devicegroups", page(), query={"filter[product.id]": PRODUCT}),
        POST("/devicegroups", one(group(env_vars={"A": 1})), json_body=body),
    ]
    repeat = [PRODUCT_LOOKUP, GET("/devicegroups", page(group(env_vars={"A": 1})))]
    results = four_runs("device_group", args, first, repeat)
    assert results[0]["device_group"]["type"] == "development"
    assert results[2]["device_group"]["id"] is None and results[2]["device_group"]["product"] == PRODUCT


def test_update_targets_and_min_supported(auth_file):
    prod = group("prod", DG2, "production_devicegroup")
    factory = group("factory", DG, "factoryfixture_devicegroup", current=DEP)
    dep = deployment(DEP)
    args = {
        "name": "factory",
        "product": PRODUCT,
        "production_target": "prod",
        "min_supported_deployment": DEP,
        "description": "line 1",
        "auth_file": auth_file,
    }
    updated = group("factory", DG, "factoryfixture_devicegroup", description="line 1")
    updated["relationships"]["production_target"] = {"type": "production_devicegroup", "id": DG2}
    final = dict(updated)
    final["relationships"] = dict(updated["relationships"], min_supported_deployment={"type": "deployment", "id": DEP})
    first = [
        GET(f"/products/{PRODUCT}", one(product())),
        GET("/devicegroups", page(factory, prod)),
        GET(f"/deployments/{DEP}", one(dep)),
        PATCH(
            f"/devicegroups/{DG}",
            one(updated),
            json_body={
                "data": {
                    "type": "factoryfixture_devicegroup",
                    "attributes": {"description": "line 1"},
                    "relationships": {"production_target": {"type": "production_devicegroup", "id": DG2}},
                }
            },
        ),
        PUT(
            f"/devicegroups/{DG}/relationships/min_supported_deployment",
            json_body={"data": {"type": "deployment", "id": DEP}},
        ),
    ]
    repeat = [
        GET(f"/products/{PRODUCT}", one(product())),
        GET("/devicegroups", page(final, prod)),
        GET(f"/deployments/{DEP}", one(dep)),
    ]
    results = four_runs("device_group", args, first, repeat)
    assert results[2]["diff"]["after"]["production_target"] == DG2
    assert results[0]["device_group"]["min_supported_deployment"] == DEP


def test_type_cannot_change(auth_file):
    result = playback(
        "device_group",
        {"name": "dev", "product": "Thermostat", "type": "production", "auth_file": auth_file},
        [PRODUCT_LOOKUP, GET("/devicegroups", page(group()))],
        fails=True,
    )
    assert "type" in result["msg"] and result.get("changed") is False


def test_forced_delete(auth_file):
    args = {"name": "dev", "product": "Thermostat", "state": "absent", "force": True, "auth_file": auth_file}
    first = [
        PRODUCT_LOOKUP,
        GET("/devicegroups", page(group())),
        GET("/devices", page(resource("device", DEV)), query={"filter[devicegroup.id]": DG}),
        GET("/deployments", page(), query={"filter[devicegroup.id]": DG, "filter[flagged]": "true"}),
        DELETE(f"/devicegroups/{DG}/relationships/devices"),
        DELETE(f"/devicegroups/{DG}"),
    ]
    repeat = [PRODUCT_LOOKUP, GET("/devicegroups", page())]
    results = four_runs("device_group", args, first, repeat)
    assert results[2]["deleted"]["devices_unassigned"] == [DEV]


# -- check mode: targets (and the product) an earlier task of the play would create ----------------


FACTORY = {"name": "factory", "product": "Thermostat", "type": "factory", "production_target": "prod"}


def test_check_mode_predicts_a_target_not_created_yet(auth_file, no_warnings):
    args = dict(FACTORY, dut_target="dut", auth_file=auth_file)
    dut = group("dut", DG2, "dut_devicegroup")
    calls = [
        PRODUCT_LOOKUP,
        GET("/devicegroups", page(dut), query={"filter[product.id]": PRODUCT}),
        GET("/devicegroups", page(dut)),
    ]
    result = playback("device_group", args, calls, check=True)
    assert result["changed"] is True and result["predicted"] is True
    assert result["device_group"] == {
        "id": None,
        "name": "factory",
        "type": "factory",
        "product": PRODUCT,
        "region": None,
        "production_target": "prod",
        "dut_target": DG2,
    }
    assert result["predicted_missing"] == [{"kind": "device_group", "name": "prod"}]
    assert "warnings" not in result


def test_missing_target_is_an_error_outside_check_mode(auth_file):
    args = dict(FACTORY, dut_target="dut", auth_file=auth_file)
    calls = [PRODUCT_LOOKUP, GET("/devicegroups", page()), GET("/devicegroups", page())]
    result = playback("device_group", args, calls, fails=True)
    assert result["msg"] == 'Device Group "prod" is not found.' and "predicted" not in result


def test_check_mode_target_of_another_product_is_predicted_in_this_one(auth_file, no_warnings):
    """A same-named group elsewhere is not the target the earlier task creates in this product."""
    args = dict(FACTORY, auth_file=auth_file)
    elsewhere = group("prod", DG2, "production_devicegroup")
    elsewhere["relationships"]["product"]["id"] = "bbbbbbbb-0000-0000-0000-000000000002"
    calls = [PRODUCT_LOOKUP, GET("/devicegroups", page()), GET("/devicegroups", page(elsewhere))]
    result = playback("device_group", args, calls, check=True)
    assert result["changed"] is True and result["device_group"]["production_target"] == "prod"


def test_check_mode_predicts_product_and_targets_without_looking_them_up(auth_file, no_warnings):
    args = dict(FACTORY, dut_target="{me}{Thermostat}{dut}", auth_file=auth_file)
    result = playback("device_group", args, [GET("/products", page())], check=True)
    assert result["changed"] is True and result["predicted"] is True
    assert result["device_group"]["product"] == "Thermostat"
    assert result["device_group"]["production_target"] == "prod"
    assert result["device_group"]["dut_target"] == "{me}{Thermostat}{dut}"
    assert [m["kind"] for m in result["predicted_missing"]] == ["product", "device_group", "device_group"]
    result = playback("device_group", args, [GET("/products", page())], fails=True)
    assert result["msg"] == 'Product "Thermostat" is not found.'


def test_check_mode_existing_group_retargeted_to_a_group_not_created_yet(auth_file, no_warnings):
    factory = group("factory", DG, "factoryfixture_devicegroup")
    factory["relationships"]["production_target"] = {"type": "production_devicegroup", "id": DG2}
    args = {"name": "factory", "product": "Thermostat", "production_target": "prod 2", "auth_file": auth_file}
    calls = [PRODUCT_LOOKUP, GET("/devicegroups", page(factory)), GET("/devicegroups", page(factory))]
    result = playback("device_group", args, calls, check=True)
    assert result["changed"] is True and result["predicted"] is True
    assert result["diff"]["before"]["production_target"] == DG2
    assert result["diff"]["after"]["production_target"] == "prod 2"


def test_device_group_hierarchical_name_in_a_product_is_not_created(auth_file):
    args = {"name": "{me}{Thermostat}{nosuch}", "product": PRODUCT, "auth_file": auth_file}
    calls = [GET(f"/products/{PRODUCT}", one(product())), GET("/devicegroups", page(group()))]
    for result in both_modes_fail("device_group", args, calls):
        assert "hierarchical" in result["msg"]


def test_device_group_without_product_fails_in_both_modes_with_nothing_changed(auth_file):
    calls = [GET("/devicegroups", page())]
    for result in both_modes_fail("device_group", {"name": "canary", "auth_file": auth_file}, calls):
        assert "give product" in result["msg"]


def test_an_ambiguous_target_fails_check_mode_as_the_real_run(auth_file):
    """Issue 25: check mode used to predict a target whose name two other products' groups share, and said ok;
    the real run refuses it. Both now fail, naming the candidates and how to choose."""
    args = dict(FACTORY, auth_file=auth_file)
    other = "bbbbbbbb-0000-0000-0000-000000000002"
    twins = [group("prod", DG2, "production_devicegroup"), group("prod", DG3, "production_devicegroup")]
    for twin, owner_product in zip(twins, (other, OTHER3), strict=True):
        twin["relationships"]["product"]["id"] = owner_product
    calls = [
        PRODUCT_LOOKUP,
        GET("/devicegroups", page(), query={"filter[product.id]": PRODUCT}),
        GET("/devicegroups", page(*twins)),
        GET(f"/products/{other}", one(product("Doorbell", rid=other))),
        GET(f"/products/{OTHER3}", one(product("Camera", rid=OTHER3))),
        ME,
    ]
    for result in both_modes_fail("device_group", args, calls):
        assert result["msg"].startswith(
            f'Multiple Device Groups "prod" are found: {DG2} (product "Doorbell"), {DG3} (product "Camera"). '
            f"Choose one with an id (production_target: {DG2}), or the hierarchical form, quoted "
            '(production_target: "{me}{Doorbell}{prod}";'
        )  # device_group's own product option is the group's product, not the target's: not offered
