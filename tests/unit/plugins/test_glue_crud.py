"""glue_crud: the shared Ansible glue, through the modules that use it."""

import pytest
from imp_playback import (
    DEP,
    DEV,
    DG,
    GET,
    GROUP,
    PATCH,
    Call,
    both_modes_fail,
    deployment,
    one,
    page,
    playback,
)


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
