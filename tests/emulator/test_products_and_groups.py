"""Spec §4–§6 and §14: document shapes, products, Device Groups and their constraints."""

import re

from emulator_api import error_of

ENTITY_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_product_document_shape(emulator, api):
    product = api.product("Shape", description="d")
    assert re.fullmatch(ENTITY_ID, product["id"])
    assert product["links"]["self"] == f"{emulator.base_url}/products/{product['id']}"
    me = api.me()["id"]
    assert product["relationships"] == {
        "owner": {"type": "account", "id": me},
        "creator": {"type": "account", "id": me},
    }
    assert api.get(f"/products/{product['id']}").headers["Content-Type"].startswith("application/vnd.api+json")


def test_product_rules(api):
    product = api.product("P")
    duplicate = api.call("POST", "/products", {"data": {"type": "product", "attributes": {"name": "P"}}})
    assert duplicate.status_code == 409
    assert (error_of(duplicate)["title"], error_of(duplicate)["detail"]) == (
        "Duplicate Resource",
        "Products must have unique names.",
    )
    assert (
        api.call("POST", "/products", {"data": {"type": "product", "attributes": {"name": "x" * 81}}}).status_code
        == 400
    )
    assert api.call("POST", "/products", {"data": {"type": "product", "attributes": {}}}).status_code == 400
    renamed = api.ok("PATCH", f"/products/{product['id']}", {"data": {"type": "product", "attributes": {"name": "Q"}}})
    assert renamed["attributes"]["name"] == "Q"
    api.group(product)
    blocked = api.call("DELETE", f"/products/{product['id']}")
    assert blocked.status_code == 400
    assert (error_of(blocked)["title"], error_of(blocked)["detail"]) == (
        "Dependent Devicegroups Exist",
        "Cannot delete a product with associated devicegroups.",
    )
    assert api.get("/products/not-an-id").status_code == 404


def test_product_delete_twice(api):
    product = api.product()
    api.ok("DELETE", f"/products/{product['id']}")
    assert api.call("DELETE", f"/products/{product['id']}").status_code == 404


def test_collaborator_sees_and_creates_in_owner_account(api, collab_api):
    product = api.product("Shared")
    assert [p["id"] for p in collab_api.ok("GET", "/products")] == [product["id"]]
    demo_id = api.me()["id"]
    body = {
        "data": {
            "type": "product",
            "attributes": {"name": "ByCollab"},
            "relationships": {"owner": {"type": "account", "id": demo_id}},
        }
    }
    created = collab_api.ok("POST", "/products", body)
    assert created["relationships"]["owner"]["id"] == demo_id
    assert created["relationships"]["creator"]["id"] == collab_api.me()["id"]
    mine = collab_api.ok("GET", f"/products?filter[owner.id]={collab_api.me()['id']}")
    assert mine == []


def test_group_shape_and_duplicates(api):
    product = api.product()
    group = api.group(product, "G", description="dev")
    assert group["type"] == "development_devicegroup"
    assert group["attributes"]["region"] is None
    assert "current_deployment" not in group["relationships"]
    assert group["relationships"]["product"] == {"type": "product", "id": product["id"]}
    response = api.call(
        "POST",
        "/devicegroups",
        {
            "data": {
                "type": "development_devicegroup",
                "attributes": {"name": "G"},
                "relationships": {"product": {"type": "product", "id": product["id"]}},
            }
        },
    )
    assert response.status_code == 409
    assert error_of(response)["detail"] == "Devicegroups must have unique names."


def test_production_types_need_production_rights(emulator):
    from emulator_api import Api

    mfa_less = Api(emulator.base_url, emulator.token("collab", "collab-password"))
    product = mfa_less.ok(
        "POST",
        "/products",
        {
            "data": {
                "type": "product",
                "attributes": {"name": "Own"},
                "relationships": {"owner": {"type": "account", "id": mfa_less.me()["id"]}},
            }
        },
    )
    body = {
        "data": {
            "type": "production_devicegroup",
            "attributes": {"name": "Prod"},
            "relationships": {"product": {"type": "product", "id": product["id"]}},
        }
    }
    response = mfa_less.call("POST", "/devicegroups", body)
    assert response.status_code == 403
    assert "Invalid Permission" in error_of(response)["title"]
    assert error_of(response)["code"].startswith("PX")


def test_fixture_groups_need_matching_targets(api):
    product = api.product()
    production = api.group(product, "Prod", "production_devicegroup")
    dut = api.group(product, "DUT", "dut_devicegroup")
    pre_dut = api.group(product, "PreDUT", "pre_dut_devicegroup")
    body = {
        "data": {
            "type": "factoryfixture_devicegroup",
            "attributes": {"name": "F"},
            "relationships": {"product": {"type": "product", "id": product["id"]}},
        }
    }
    assert api.call("POST", "/devicegroups", body).status_code == 400
    body["data"]["relationships"]["production_target"] = {"type": production["type"], "id": production["id"]}
    body["data"]["relationships"]["dut_target"] = {"type": pre_dut["type"], "id": pre_dut["id"]}
    assert api.call("POST", "/devicegroups", body).status_code == 400
    body["data"]["relationships"]["dut_target"] = {"type": dut["type"], "id": dut["id"]}
    factory = api.ok("POST", "/devicegroups", body)
    assert factory["relationships"]["production_target"] == {"type": "production_devicegroup", "id": production["id"]}
    assert factory["relationships"]["dut_target"] == {"type": "dut_devicegroup", "id": dut["id"]}
    other = api.product("Other")
    elsewhere = api.group(other, "Prod2", "production_devicegroup")
    body["data"]["attributes"]["name"] = "F2"
    body["data"]["relationships"]["production_target"] = {"type": elsewhere["type"], "id": elsewhere["id"]}
    assert api.call("POST", "/devicegroups", body).status_code == 400
    target_delete = api.call("DELETE", f"/devicegroups/{production['id']}")
    assert target_delete.status_code == 400 and error_of(target_delete)["code"] == "CX008"


def test_region_and_load_code_only_on_production_types(api):
    product = api.product()
    body = {
        "data": {
            "type": "development_devicegroup",
            "attributes": {"name": "D", "region": "eu"},
            "relationships": {"product": {"type": "product", "id": product["id"]}},
        }
    }
    assert api.call("POST", "/devicegroups", body).status_code == 400
    production = api.group(product, "P", "production_devicegroup", region="eu")
    assert production["attributes"]["load_code_after_blessing"] is True
    patch = {"data": {"type": "production_devicegroup", "attributes": {"load_code_after_blessing": False}}}
    assert (
        api.ok("PATCH", f"/devicegroups/{production['id']}", patch)["attributes"]["load_code_after_blessing"] is False
    )
    region = {"data": {"type": "production_devicegroup", "attributes": {"region": "us"}}}
    assert api.call("PATCH", f"/devicegroups/{production['id']}", region).status_code == 400


def test_group_type_cannot_change_and_env_vars_round_trip(api):
    group = api.group(api.product())
    wrong = {"data": {"type": "production_devicegroup", "attributes": {"name": "x"}}}
    assert api.call("PATCH", f"/devicegroups/{group['id']}", wrong).status_code == 400
    env = {"A_1": "x", "b": 2}
    patch = {"data": {"type": group["type"], "attributes": {"env_vars": env}}}
    assert api.ok("PATCH", f"/devicegroups/{group['id']}", patch)["attributes"]["env_vars"] == env
    bad = {"data": {"type": group["type"], "attributes": {"env_vars": {"1bad": "x"}}}}
    assert api.call("PATCH", f"/devicegroups/{group['id']}", bad).status_code == 400


def test_group_delete_rules_and_cascade(emulator, api):
    group = api.group(api.product())
    dep = api.deploy(group, "x", "y", flagged=True)
    device = api.devices()[2]
    assert api.assign(group, device["id"]).status_code == 204
    blocked = api.call("DELETE", f"/devicegroups/{group['id']}")
    assert blocked.status_code == 400
    assert api.unassign(group, device["id"]).status_code == 204
    flagged = api.call("DELETE", f"/devicegroups/{group['id']}")
    assert (error_of(flagged)["title"], error_of(flagged)["detail"]) == (
        "Flagged Deployments Exist",
        "Cannot delete a devicegroup with flagged deployments; delete those first.",
    )
    api.ok("PATCH", f"/deployments/{dep['id']}", {"data": {"type": "deployment", "attributes": {"flagged": False}}})
    hook = api.ok(
        "POST",
        "/webhooks",
        {
            "data": {
                "type": "webhook",
                "attributes": {
                    "url": "http://127.0.0.1:9/x",
                    "event": "deployment",
                    "content_type": "application/json",
                },
                "relationships": {"devicegroup": {"type": group["type"], "id": group["id"]}},
            }
        },
    )
    api.ok("DELETE", f"/devicegroups/{group['id']}")
    assert api.get(f"/deployments/{dep['id']}").status_code == 404
    assert api.get(f"/webhooks/{hook['id']}").status_code == 404
    assert api.call("DELETE", f"/devicegroups/{group['id']}").status_code == 404
