"""product: four runs for create, update, delete; forced delete order; errors."""

import responses
from imp_playback import (
    ACCOUNT,
    DELETE,
    DEP,
    DEP2,
    DEV,
    DG,
    DG2,
    GET,
    ME,
    PATCH,
    POST,
    PRODUCT,
    Call,
    both_modes_fail,
    deployment,
    device,
    four_runs,
    group,
    one,
    page,
    playback,
    product,
    resource,
    run_module,
)
from responses import registries

DEP3 = "dddddddd-0000-0000-0000-000000000003"


def test_create(auth_file):
    args = {"name": "Thermostat", "description": "rev B", "auth_file": auth_file}
    first = [
        GET("/products", page()),
        POST(
            "/products",
            one(product(description="rev B")),
            json_body={"data": {"type": "product", "attributes": {"name": "Thermostat", "description": "rev B"}}},
        ),
    ]
    repeat = [GET("/products", page(product(description="rev B")))]
    results = four_runs("product", dict(args), first, repeat)
    assert results[0]["product"]["id"] == PRODUCT
    assert results[2]["product"] == {"id": None, "type": "product", "name": "Thermostat", "description": "rev B"}
    assert results[2]["diff"]["before"] == {}
    assert results[1]["product"]["owner"] == ACCOUNT


def test_update_only_what_the_user_set(auth_file):
    args = {"name": "Thermostat", "description": "rev C", "auth_file": auth_file}
    first = [
        GET("/products", page(product(description="rev B"))),
        PATCH(
            f"/products/{PRODUCT}",
            one(product(description="rev C")),
            json_body={"data": {"attributes": {"description": "rev C"}}},
        ),
    ]
    repeat = [GET("/products", page(product(description="rev C")))]
    results = four_runs("product", args, first, repeat)
    assert results[2]["diff"]["before"]["description"] == "rev B"
    assert results[2]["diff"]["after"]["description"] == "rev C"
    assert "updated_at" not in results[2]["diff"]["after"]
    # description not given: nothing to compare, nothing changes
    result = playback(
        "product",
        {"name": "Thermostat", "auth_file": auth_file},
        [GET("/products", page(product(description="rev B")))],
    )
    assert result["changed"] is False


def test_delete(auth_file):
    args = {"name": "Thermostat", "state": "absent", "auth_file": auth_file}
    first = [
        GET("/products", page(product())),
        GET("/devicegroups", page(), query={"filter[product.id]": PRODUCT}),
        DELETE(f"/products/{PRODUCT}"),
    ]
    repeat = [GET("/products", page())]
    results = four_runs("product", args, first, repeat)
    assert results[0]["product"] == {}


def zombie(rid, **attrs):
    """A deployment whose group was deleted before 2024: no devicegroup relationship."""
    dep = deployment(rid, **attrs)
    del dep["relationships"]["devicegroup"]
    return dep


def test_forced_delete_runs_in_impt_order(auth_file):
    """The group's deletion takes its deployments along (spec 6.3): only the zombie is deleted one by one."""
    args = {"name": "Thermostat", "state": "absent", "force": True, "builds": True, "auth_file": auth_file}
    flagged = deployment(DEP, flagged=True)
    old = zombie(DEP2, flagged=True)
    first = [
        GET("/products", page(product())),
        GET("/devicegroups", page(group()), query={"filter[product.id]": PRODUCT}),
        GET("/devices", page(device(dg=DG)), query={"filter[product.id]": PRODUCT}),
        GET("/deployments", page(flagged, old), query={"filter[product.id]": PRODUCT}),
        DELETE(f"/devicegroups/{DG}/relationships/devices", json_body={"data": [{"type": "device", "id": DEV}]}),
        PATCH(f"/deployments/{DEP}", one(deployment(DEP)), json_body={"data": {"attributes": {"flagged": False}}}),
        PATCH(f"/deployments/{DEP2}", one(zombie(DEP2)), json_body={"data": {"attributes": {"flagged": False}}}),
        DELETE(f"/devicegroups/{DG}"),
        DELETE(f"/products/{PRODUCT}"),
        DELETE(f"/deployments/{DEP2}"),
    ]
    repeat = [GET("/products", page())]
    results = four_runs("product", args, first, repeat)
    assert (
        results[0]["deleted"]
        == results[2]["deleted"]
        == {
            "device_groups": [DG],
            "devices_unassigned": [DEV],
            "deployments_unflagged": [DEP, DEP2],
            "deployments": [DEP, DEP2],
        }
    )


def test_forced_delete_with_builds_deletes_what_no_deleted_group_takes(auth_file):
    """Deployments of a group that is not deleted are deleted one by one; a 404 (already gone) is fine."""
    args = {"name": "Thermostat", "state": "absent", "force": True, "builds": True, "auth_file": auth_file}
    elsewhere = deployment(DEP3, dg=DG2)
    gone = Call("DELETE", f"/deployments/{DEP3}", 404, {"errors": [{"status": "404", "title": "Not Found"}]})
    first = [
        GET("/products", page(product())),
        GET("/devicegroups", page(group()), query={"filter[product.id]": PRODUCT}),
        GET("/devices", page(), query={"filter[product.id]": PRODUCT}),
        GET("/deployments", page(deployment(DEP), zombie(DEP2), elsewhere), query={"filter[product.id]": PRODUCT}),
        DELETE(f"/devicegroups/{DG}"),
        DELETE(f"/products/{PRODUCT}"),
        DELETE(f"/deployments/{DEP2}"),
        gone,
    ]
    results = four_runs("product", args, first, [GET("/products", page())])
    assert results[0]["deleted"]["deployments"] == [DEP, DEP2, DEP3]
    assert results[0]["deleted"]["deployments_unflagged"] == []


def test_delete_with_builds_without_force_deletes_every_zombie(auth_file):
    args = {"name": "Thermostat", "state": "absent", "builds": True, "auth_file": auth_file}
    first = [
        GET("/products", page(product())),
        GET("/devicegroups", page(), query={"filter[product.id]": PRODUCT}),
        GET("/deployments", page(zombie(DEP), zombie(DEP2)), query={"filter[product.id]": PRODUCT}),
        DELETE(f"/products/{PRODUCT}"),
        DELETE(f"/deployments/{DEP}"),
        DELETE(f"/deployments/{DEP2}"),
    ]
    results = four_runs("product", args, first, [GET("/products", page())])
    assert results[2]["deleted"]["deployments"] == [DEP, DEP2] and results[2]["deleted"]["device_groups"] == []


def test_api_error_reaches_fail_json_with_method_url_status(auth_file):
    error = {
        "errors": [
            {
                "status": "400",
                "code": "CX002",
                "title": "Dependent Devicegroups Exist",
                "detail": "Cannot delete a product with associated devicegroups.",
            }
        ]
    }
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", "https://api.test/v5/products", json=page(product()))
        mock.add("GET", "https://api.test/v5/devicegroups", json=page())
        mock.add("DELETE", f"https://api.test/v5/products/{PRODUCT}", json=error, status=400)
        result = run_module("product", {"name": "Thermostat", "state": "absent", "auth_file": auth_file})
    assert result["failed"] is True
    assert result["method"] == "DELETE" and result["status"] == 400
    assert result["url"].endswith(f"/products/{PRODUCT}")
    assert "Dependent Devicegroups Exist" in result["msg"] and "DELETE" in result["msg"]
    assert result["changed"] is False  # the API refused the only write: nothing changed


def test_ambiguous_name_fails_with_candidates(auth_file):
    other = product(rid="bbbbbbbb-0000-0000-0000-000000000002")
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", "https://api.test/v5/products", json=page(product(), other))
        result = run_module("product", {"name": "Thermostat", "auth_file": auth_file})
    assert result["failed"] and len(result["candidates"]) == 2
    assert "hierarchical" in result["msg"]


UUID = "bbbbbbbb-0000-0000-0000-00000000dead"


def not_found(path, **kw):
    return Call("GET", path, 404, {"errors": [{"status": "404", "title": "Not Found"}]}, **kw)


def test_product_hierarchical_name_matching_nothing_is_not_created(auth_file):
    calls = [ME, GET("/products", page(), query={"filter[owner.id]": ACCOUNT}), GET("/products", page())]
    for result in both_modes_fail("product", {"name": "{me}{NoSuch}", "auth_file": auth_file}, calls):
        assert 'Product "{me}{NoSuch}" is not found' in result["msg"] and "hierarchical" in result["msg"]
        assert "product" not in result or not result["product"]


def test_product_id_matching_nothing_is_not_created(auth_file):
    calls = [not_found(f"/products/{UUID}"), GET("/products", page())]
    for result in both_modes_fail("product", {"name": UUID, "auth_file": auth_file}, calls):
        assert "form of an id" in result["msg"]


def test_product_unknown_owner_fails_in_both_modes_with_nothing_changed(auth_file):
    accounts = GET("/accounts", page(resource("account", ACCOUNT, username="me", email="me@example.com")))
    calls = [accounts, GET("/products", page()), accounts]
    for result in both_modes_fail(
        "product", {"name": "Thermostat", "owner": "nosuchuser", "auth_file": auth_file}, calls
    ):
        assert result["msg"] == 'Account "nosuchuser" is not found.'
