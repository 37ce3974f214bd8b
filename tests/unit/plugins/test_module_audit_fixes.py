"""Audit findings: empty identifiers, identifiers taken as names, truthful ``changed`` on failure, check mode
failing where the real run fails, connection options, a missing auth file, ids in device_group_devices."""

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue_auth import ConnectionOptionError, connect
from imp_playback import (
    ACCOUNT,
    DEP,
    DEV,
    DG,
    GET,
    PATCH,
    POST,
    PRODUCT,
    Call,
    deployment,
    device,
    group,
    one,
    page,
    playback,
    product,
    resource,
)

GROUP = GET(f"/devicegroups/{DG}", one(group()))
ME = GET("/accounts/me", one(resource("account", ACCOUNT, username="me")))
UUID = "bbbbbbbb-0000-0000-0000-00000000dead"


def not_found(path, **kw):
    return Call("GET", path, 404, {"errors": [{"status": "404", "title": "Not Found"}]}, **kw)


def both_modes_fail(name, args, calls, *, check_calls=None):
    """The real run and check mode fail alike, sending only ``calls`` (reads), with changed false."""
    results = []
    for check in (False, True):
        result = playback(
            name, args, calls if not check or check_calls is None else check_calls, check=check, fails=True
        )
        assert result["changed"] is False, result
        results.append(result)
    return results


# -- 1, 2, 3: empty identifiers are refused before any request ---------------------------------------


@pytest.mark.parametrize(
    "name, args, option",
    [
        ("deployment", {"device_group": DG, "deployment": "", "state": "absent"}, "deployment"),
        ("deployment", {"deployment": "", "state": "absent"}, "deployment"),
        ("deployment", {"deployment": " ", "description": "x"}, "deployment"),
        ("deployment", {"device_group": DG, "copy_from": ""}, "copy_from"),
        ("deployment", {"device_group": "", "device_code": "x"}, "device_group"),
        ("login_key", {"key_id": "", "state": "absent", "password": "pw"}, "key_id"),
        ("device", {"device": DEV, "name": ""}, "name"),
        ("device", {"device": DEV, "device_group": ""}, "device_group"),
        ("device_group_devices", {"device_group": DG, "devices": [""]}, "devices"),
        ("device_group_devices", {"device_group": DG, "devices": [DEV, " "], "state": "absent"}, "devices"),
        ("product", {"name": ""}, "name"),
        ("product", {"name": "Thermostat", "owner": ""}, "owner"),
        ("device_group", {"name": "dev", "product": ""}, "product"),
        ("device_group", {"name": "f", "product": "P", "production_target": ""}, "production_target"),
        ("webhook", {"device_group": DG, "event": "deployment", "url": ""}, "url"),
        ("restart", {"device_groups": [DG, ""]}, "device_groups"),
        ("device_info", {"device": ""}, "device"),
        ("webhook_info", {"device_group": ""}, "device_group"),
    ],
)
def test_empty_identifiers_fail_before_any_request(auth_file, name, args, option):
    for result in both_modes_fail(name, dict(args, auth_file=auth_file), []):
        assert result["msg"].startswith(option + " must not"), result["msg"]


@pytest.mark.parametrize("args", [{"description": "", "state": "absent"}, {"description": None, "state": "absent"}])
def test_login_key_never_found_by_an_empty_or_missing_description(auth_file, args):
    # Not even the key list is read: a key created without a description must never match (and be deleted).
    for result in both_modes_fail("login_key", dict(args, password="pw", auth_file=auth_file), []):
        assert "key_id" in result["msg"]


# -- 4: an identifier that matched nothing is not a name for a new entity -----------------------------


def test_product_hierarchical_name_matching_nothing_is_not_created(auth_file):
    calls = [ME, GET("/products", page(), query={"filter[owner.id]": ACCOUNT}), GET("/products", page())]
    for result in both_modes_fail("product", {"name": "{me}{NoSuch}", "auth_file": auth_file}, calls):
        assert 'Product "{me}{NoSuch}" is not found' in result["msg"] and "hierarchical" in result["msg"]
        assert "product" not in result or not result["product"]


def test_product_id_matching_nothing_is_not_created(auth_file):
    calls = [not_found(f"/products/{UUID}"), GET("/products", page())]
    for result in both_modes_fail("product", {"name": UUID, "auth_file": auth_file}, calls):
        assert "form of an id" in result["msg"]


def test_device_group_hierarchical_name_in_a_product_is_not_created(auth_file):
    args = {"name": "{me}{Thermostat}{nosuch}", "product": PRODUCT, "auth_file": auth_file}
    calls = [GET(f"/products/{PRODUCT}", one(product())), GET("/devicegroups", page(group()))]
    for result in both_modes_fail("device_group", args, calls):
        assert "hierarchical" in result["msg"]


# -- 5, 6: failures report changed only after an accepted write; check mode fails alike -----------------


def test_product_unknown_owner_fails_in_both_modes_with_nothing_changed(auth_file):
    accounts = GET("/accounts", page(resource("account", ACCOUNT, username="me", email="me@example.com")))
    calls = [accounts, GET("/products", page()), accounts]
    for result in both_modes_fail(
        "product", {"name": "Thermostat", "owner": "nosuchuser", "auth_file": auth_file}, calls
    ):
        assert result["msg"] == 'Account "nosuchuser" is not found.'


def test_device_group_without_product_fails_in_both_modes_with_nothing_changed(auth_file):
    calls = [GET("/devicegroups", page())]
    for result in both_modes_fail("device_group", {"name": "canary", "auth_file": auth_file}, calls):
        assert "give product" in result["msg"]


def test_api_rejection_of_the_only_write_is_not_a_change(auth_file):
    args = {"device_group": DG, "event": "deployment", "url": "notaurl", "auth_file": auth_file}
    rejected = Call("POST", "/webhooks", 400, {"errors": [{"status": "400", "code": "WH001", "title": "Bad URL"}]})
    result = playback("webhook", args, [GROUP, GET("/webhooks", page()), rejected], fails=True)
    assert result["changed"] is False
    assert result["method"] == "POST" and result["status"] == 400 and result["url"].endswith("/webhooks")
    assert "Bad URL" in result["msg"]


def test_failure_after_an_accepted_write_is_a_change(auth_file):
    args = {"deployment": DEP, "state": "absent", "force": True, "auth_file": auth_file}
    refused = Call("DELETE", f"/deployments/{DEP}", 400, {"errors": [{"status": "400", "title": "No"}]})
    calls = [
        GET(f"/deployments/{DEP}", one(deployment(flagged=True))),
        PATCH(f"/deployments/{DEP}", one(deployment()), json_body={"data": {"attributes": {"flagged": False}}}),
        refused,
    ]
    result = playback("deployment", args, calls, fails=True)
    assert result["changed"] is True and result["method"] == "DELETE" and result["status"] == 400


def test_flagged_deployment_without_force_fails_before_the_delete_in_both_modes(auth_file):
    args = {"deployment": DEP, "state": "absent", "auth_file": auth_file}
    calls = [GET(f"/deployments/{DEP}", one(deployment(flagged=True)))]
    for result in both_modes_fail("deployment", args, calls):
        assert "flagged" in result["msg"] and "force" in result["msg"]


def test_unknown_device_fails_before_any_write_in_both_modes(auth_file):
    args = {"device_group": DG, "devices": [DEV, "ffffffffffff0000"], "auth_file": auth_file}
    members = GET("/devices", page(), query={"filter[devicegroup.id]": DG})
    calls = [GROUP, members, GET("/devices", page(device()))]
    for result in both_modes_fail("device_group_devices", args, calls):
        assert result["msg"].startswith('Device "ffffffffffff0000" is not found.')


def test_login_key_without_password_fails_in_check_mode_too(auth_file):
    calls = [GET("/accounts/me/login_keys", page())]
    for result in both_modes_fail("login_key", {"description": "CI", "auth_file": auth_file}, calls):
        assert "password" in result["msg"]


# -- 7, 8: connection options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option, value", [("timeout", -1), ("timeout", 0), ("timeout", float("nan")), ("max_retries", -1)]
)
def test_bad_connection_options_fail_with_a_clear_message(auth_file, option, value):
    args = {"name": "Thermostat", option: value, "auth_file": auth_file}
    for result in both_modes_fail("product", args, []):
        assert result["msg"].startswith(option + " must be"), result["msg"]


def test_connect_refuses_a_negative_timeout():
    with pytest.raises(ConnectionOptionError, match="timeout"):
        connect({"timeout": -1, "login_key": "k"})
    with pytest.raises(ConnectionOptionError, match="max_retries"):
        connect({"max_retries": -2, "login_key": "k"})


def test_missing_auth_file_is_named(tmp_path):
    missing = str(tmp_path / "nonexistent")
    for result in both_modes_fail("product", {"name": "Thermostat", "auth_file": missing}, []):
        assert result["msg"].startswith(f"Auth file {missing} does not exist."), result["msg"]
        assert "401" not in result["msg"]


def test_auth_file_of_another_endpoint_is_named(auth_file):
    args = {"name": "Thermostat", "auth_file": auth_file, "endpoint": "https://other.test/v5"}
    for result in both_modes_fail("product", args, []):
        assert result["msg"].startswith(f"Auth file {auth_file} holds a login for https://api.test/v5"), result
        assert "https://other.test/v5" in result["msg"]


def test_no_credentials_at_all_has_no_empty_request_in_the_message():
    for result in both_modes_fail("product", {"name": "Thermostat"}, []):
        assert "( " not in result["msg"] and "-> 401" not in result["msg"], result["msg"]


# -- 9: device_group_devices returns ids ------------------------------------------------------------------


def test_devices_given_by_name_and_mac_are_returned_as_ids(auth_file):
    other = device("234776801163a9ef", name="bench-2", mac="0c:2a:69:05:0d:63")
    args = {"device_group": DG, "devices": ["0C:2A:69:05:0D:62", "bench-2"], "auth_file": auth_file}
    members = GET("/devices", page(), query={"filter[devicegroup.id]": DG})
    calls = [
        GROUP,
        members,
        GET("/devices", page(device(), other)),
        POST(
            f"/devicegroups/{DG}/relationships/devices",
            json_body={"data": [{"type": "device", "id": DEV}, {"type": "device", "id": other["id"]}]},
        ),
    ]
    result = playback("device_group_devices", args, calls)
    assert result["added"] == [DEV, other["id"]] and result["devices"] == [DEV, other["id"]]
    result = playback("device_group_devices", args, [c for c in calls if not c.write], check=True)
    assert result["added"] == [DEV, other["id"]] and result["changed"] is True


def test_a_refused_removal_after_an_add_reports_the_add(auth_file):
    stranger = device("aaaaaaaaaaaa0001", mac="0c:2a:69:00:00:01", dg=DG)
    args = {"device_group": DG, "devices": [DEV], "exclusive": True, "auth_file": auth_file}
    refused = Call("DELETE", f"/devicegroups/{DG}/relationships/devices", 403, {"errors": [{"title": "Forbidden"}]})
    calls = [
        GROUP,
        GET("/devices", page(stranger), query={"filter[devicegroup.id]": DG}),
        GET("/devices", page(stranger, device())),
        POST(f"/devicegroups/{DG}/relationships/devices"),
        refused,
    ]
    result = playback("device_group_devices", args, calls, fails=True)
    assert result["changed"] is True and result["status"] == 403 and result["method"] == "DELETE"
    assert result["added"] == [DEV] and result["removed"] == []
