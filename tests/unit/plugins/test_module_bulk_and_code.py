"""device_group_devices, deployment, webhook, restart, login_key: four runs each."""

import pytest
from imp_playback import (
    ACCOUNT,
    DELETE,
    DEP,
    DEP2,
    DEV,
    DEV2,
    DG,
    DG2,
    GET,
    PATCH,
    POST,
    PRODUCT,
    deployment,
    device,
    four_runs,
    group,
    one,
    page,
    playback,
    product,
    resource,
)

DEP3 = "dddddddd-0000-0000-0000-000000000003"

GROUP = GET(f"/devicegroups/{DG}", one(group()))


def members(*devices):
    return GET("/devices", page(*devices), query={"filter[devicegroup.id]": DG})


def test_bulk_exclusive_is_one_post_and_one_delete(auth_file):
    stranger = device("aaaaaaaaaaaa0001", mac="0c:2a:69:00:00:01", dg=DG)
    args = {"device_group": DG, "devices": [DEV, "0c:2a:69:05:0d:63"], "exclusive": True, "auth_file": auth_file}
    first = [
        GROUP,
        members(stranger),
        GET("/devices", page(stranger, device(), device(DEV2, mac="0c:2a:69:05:0d:63"))),
        POST(
            f"/devicegroups/{DG}/relationships/devices",
            json_body={"data": [{"type": "device", "id": DEV}, {"type": "device", "id": DEV2}]},
        ),
        DELETE(
            f"/devicegroups/{DG}/relationships/devices",
            json_body={"data": [{"type": "device", "id": "aaaaaaaaaaaa0001"}]},
        ),
    ]
    repeat = [GROUP, members(device(dg=DG), device(DEV2, mac="0c:2a:69:05:0d:63", dg=DG))]
    results = four_runs("device_group_devices", args, first, repeat)
    # ids everywhere, whatever identifier was given (here a MAC address)
    assert results[0]["added"] == [DEV, DEV2] and results[2]["added"] == [DEV, DEV2]
    assert results[0]["removed"] == ["aaaaaaaaaaaa0001"] and results[0]["devices"] == [DEV, DEV2]
    assert results[3]["devices"] == [DEV, DEV2]


def test_bulk_names_cost_one_listing(auth_file):
    args = {"device_group": DG, "devices": ["bench-1"], "auth_file": auth_file}
    first = [
        GROUP,
        members(),
        GET("/devices", page(device(name="bench-1"))),
        POST(f"/devicegroups/{DG}/relationships/devices", json_body={"data": [{"type": "device", "id": DEV}]}),
    ]
    repeat = [GROUP, members(device(name="bench-1", dg=DG))]
    four_runs("device_group_devices", args, first, repeat)


def test_bulk_absent(auth_file):
    args = {"device_group": DG, "devices": [DEV], "state": "absent", "unbond_key": "k" * 8, "auth_file": auth_file}
    first = [
        GROUP,
        members(device(dg=DG)),
        DELETE(f"/devicegroups/{DG}/relationships/devices", headers={"X-Electricimp-Key": "k" * 8}),
    ]
    four_runs("device_group_devices", args, first, [GROUP, members()])


CODE = {"device_code": "server.log(1);", "agent_code": ""}


def test_deploy_code_once(auth_file):
    args = dict(CODE, device_group=DG, tags=["v2"], auth_file=auth_file)
    old = deployment(DEP, device_code="old")
    new = deployment(DEP2, tags=["v2"], **CODE)
    first = [
        GET(f"/devicegroups/{DG}", one(group(current=DEP))),
        GET(f"/deployments/{DEP}", one(old)),
        POST("/deployments", one(new), json_body={"data": {"attributes": dict(CODE, tags=["v2"])}}),
    ]
    repeat = [GET(f"/devicegroups/{DG}", one(group(current=DEP2))), GET(f"/deployments/{DEP2}", one(new))]
    results = four_runs("deployment", args, first, repeat)
    assert results[0]["created"] is True and results[1]["created"] is False
    assert results[2]["diff"]["before"]["device_code"] == "old"
    assert results[2]["diff"]["after"]["device_code"] == "server.log(1);"


def test_deploy_same_code_updates_tags_in_place(auth_file, tmp_path):
    source = tmp_path / "device.nut"
    source.write_text(CODE["device_code"])
    args = {"device_group": DG, "device_file": str(source), "tags": ["v2", "rc"], "auth_file": auth_file}
    first = [
        GET(f"/devicegroups/{DG}", one(group(current=DEP))),
        GET(f"/deployments/{DEP}", one(deployment(DEP, tags=["v2"], **CODE))),
        PATCH(
            f"/deployments/{DEP}",
            one(deployment(DEP, tags=["v2", "rc"], **CODE)),
            json_body={"data": {"attributes": {"tags": ["v2", "rc"]}}},
        ),
    ]
    repeat = [
        GET(f"/devicegroups/{DG}", one(group(current=DEP))),
        GET(f"/deployments/{DEP}", one(deployment(DEP, tags=["rc", "v2"], **CODE))),
    ]
    four_runs("deployment", args, first, repeat)


def test_delete_flagged_deployment_with_force(auth_file):
    args = {"deployment": DEP, "state": "absent", "force": True, "auth_file": auth_file}
    first = [
        GET(f"/deployments/{DEP}", one(deployment(flagged=True))),
        PATCH(f"/deployments/{DEP}", one(deployment()), json_body={"data": {"attributes": {"flagged": False}}}),
        DELETE(f"/deployments/{DEP}"),
    ]
    gone = GET(f"/deployments/{DEP}", {"errors": [{"status": "404"}]})
    gone.status = 404
    four_runs("deployment", args, first, [gone, GET("/deployments", page()), GET("/deployments", page())])


def hook(content_type="application/json"):
    return resource(
        "webhook",
        "hook-1",
        {"devicegroup": ("development_devicegroup", DG)},
        url="https://mes.example.com/x",
        event="deployment",
        content_type=content_type,
    )


def hooks(*items):
    return GET("/webhooks", page(*items), query={"filter[devicegroup.id]": DG})


def test_webhook_create_update_delete(auth_file):
    args = {"device_group": DG, "event": "deployment", "url": "https://mes.example.com/x", "auth_file": auth_file}
    first = [
        GROUP,
        hooks(),
        POST(
            "/webhooks",
            one(hook()),
            json_body={
                "data": {
                    "attributes": {
                        "url": "https://mes.example.com/x",
                        "event": "deployment",
                        "content_type": "application/json",
                    }
                }
            },
        ),
    ]
    results = four_runs("webhook", args, first, [GROUP, hooks(hook())])
    assert results[1]["webhook"]["content_type"] == "json"

    args["content_type"] = "urlencoded"
    form = "application/x-www-form-urlencoded"
    first = [
        GROUP,
        hooks(hook()),
        PATCH("/webhooks/hook-1", one(hook(form)), json_body={"data": {"attributes": {"content_type": form}}}),
    ]
    four_runs("webhook", args, first, [GROUP, hooks(hook(form))])

    args["state"] = "absent"
    four_runs("webhook", args, [GROUP, hooks(hook(form)), DELETE("/webhooks/hook-1")], [GROUP, hooks()])


def test_restart_is_an_action(auth_file):
    args = {"device_groups": [DG], "conditional": True, "auth_file": auth_file}
    calls = [GROUP, POST(f"/devicegroups/{DG}/conditional_restart")]
    assert playback("restart", args, calls)["changed"] is True
    result = playback("restart", args, [GROUP], check=True)
    assert result["changed"] is True and result["device_groups"] == [DG]


KEY = "7d8e6670aa285e9d"


def key(description="CI"):
    return resource("login_key", KEY, description=description, usages=0)


def test_login_key_created_once_and_id_returned_once(auth_file):
    args = {"description": "CI", "password": "pw", "auth_file": auth_file}
    first = [
        GET("/accounts/me/login_keys", page()),
        POST("/accounts/me/login_keys", one(key()), headers={"X-Electricimp-Password": "pw"}),
    ]
    results = four_runs("login_key", args, first, [GET("/accounts/me/login_keys", page(key()))])
    assert results[0]["key_id"] == KEY
    assert results[0]["login_key"]["id_hint"] == "…5e9d" and "id" not in results[0]["login_key"]
    assert "key_id" not in results[1] and results[2]["key_id"] is None
    assert KEY not in str(results[1])


def test_login_key_needs_password(auth_file):
    result = playback(
        "login_key", {"description": "CI", "auth_file": auth_file}, [GET("/accounts/me/login_keys", page())], fails=True
    )
    assert "password" in result["msg"]


# -- check mode: device groups and devices an earlier task of the play would create ----------------

ME = GET("/accounts/me", one(resource("account", ACCOUNT, username="me")))
HIERARCHY_MISSING = [
    ME,
    GET("/products", page(product()), query={"filter[owner.id]": ACCOUNT}),
    GET("/devicegroups", page(), query={"filter[product.id]": PRODUCT}),
    GET("/devicegroups", page()),
]
NEW_GROUP = "{me}{Thermostat}{canary}"


def test_restart_check_mode_predicts_groups_and_devices_not_created_yet(auth_file, no_warnings):
    args = {"device_groups": [NEW_GROUP, DG], "devices": ["bench-9"], "auth_file": auth_file}
    calls = [GET("/devices", page()), *HIERARCHY_MISSING, GROUP]
    result = playback("restart", args, calls, check=True)
    assert result["changed"] is True and result["predicted"] is True
    assert result["device_groups"] == [NEW_GROUP, DG] and result["devices"] == ["bench-9"]
    assert result["predicted_missing"] == [
        {"kind": "device", "name": "bench-9"},
        {"kind": "device_group", "name": NEW_GROUP},
    ]
    result = playback("restart", args, [GET("/devices", page())], fails=True)
    assert result["msg"] == 'Device "bench-9" is not found.' and result["changed"] is False


@pytest.mark.parametrize("name", ["canary", NEW_GROUP])
def test_deploy_check_mode_to_a_group_not_created_yet(auth_file, no_warnings, name):
    args = dict(CODE, device_group=name, auth_file=auth_file)
    calls = [GET("/devicegroups", page())] if name == "canary" else HIERARCHY_MISSING
    result = playback("deployment", args, calls, check=True)
    assert result["changed"] is True and result["created"] is True and result["predicted"] is True
    assert result["deployment"]["id"] is None and result["deployment"]["device_group"] == name
    assert result["predicted_missing"] == [{"kind": "device_group", "name": name}]
    result = playback("deployment", args, calls, fails=True)
    assert "is not found" in result["msg"] and result["changed"] is False


# -- copy_from naming several deployments ---------------------------------------------------------

SHA = "a" * 64


def build(rid, created_at, sha=SHA, **attrs):
    dep = deployment(rid, tags=["v2"], sha=sha, created_at=created_at, **dict(CODE, **attrs))
    listed = dict(dep, attributes={k: v for k, v in dep["attributes"].items() if not k.endswith("_code")})
    return dep, listed


def test_copy_from_tag_shared_by_builds_of_the_same_code_uses_the_newest(auth_file):
    newer, newer_listed = build(DEP2, "2026-02-01T00:00:00.000Z")
    _, older_listed = build(DEP, "2026-01-01T00:00:00.000Z")
    copy = deployment(DEP3, dg=DG2, **CODE)
    args = {"device_group": DG2, "copy_from": "v2", "auth_file": auth_file}
    tagged = GET("/deployments", page(older_listed, newer_listed), query={"filter[tags]": "v2"})
    first = [
        tagged,
        GET(f"/deployments/{DEP2}", one(newer)),
        GET(f"/devicegroups/{DG2}", one(group("prod", DG2))),
        POST("/deployments", one(copy), json_body={"data": {"attributes": CODE}}),
    ]
    repeat = [
        tagged,
        GET(f"/deployments/{DEP2}", one(newer)),
        GET(f"/devicegroups/{DG2}", one(group("prod", DG2, current=DEP3))),
        GET(f"/deployments/{DEP3}", one(copy)),
    ]
    results = four_runs("deployment", args, first, repeat)
    assert results[0]["created"] is True and results[0]["deployment"]["id"] == DEP3
    assert results[2]["deployment"]["device_code"] == CODE["device_code"]


def test_copy_from_sha_shared_by_builds_is_no_ambiguity(auth_file):
    newer, newer_listed = build(DEP2, "2026-02-01T00:00:00.000Z")
    _, older_listed = build(DEP, "2026-01-01T00:00:00.000Z")
    calls = [
        GET("/deployments", page(newer_listed, older_listed), query={"filter[sha]": SHA}),
        GET(f"/deployments/{DEP2}", one(newer)),
        GET(f"/devicegroups/{DG2}", one(group("prod", DG2, current=DEP2))),
        GET(f"/deployments/{DEP2}", one(newer)),
    ]
    result = playback("deployment", {"device_group": DG2, "copy_from": SHA, "auth_file": auth_file}, calls)
    assert result["changed"] is False and result["deployment"]["id"] == DEP2


def test_copy_from_tag_of_different_code_fails_with_the_candidates(auth_file):
    _, one_build = build(DEP, "2026-01-01T00:00:00.000Z")
    _, other = build(DEP2, "2026-02-01T00:00:00.000Z", sha="b" * 64)
    calls = [GET("/deployments", page(one_build, other), query={"filter[tags]": "v2"})]
    args = {"device_group": DG2, "copy_from": "v2", "auth_file": auth_file}
    for check in (False, True):
        result = playback("deployment", args, calls, check=check, fails=True)
        assert "different code" in result["msg"] and DEP in result["msg"] and DEP2 in result["msg"]
        assert [(c["id"], c["sha"]) for c in result["candidates"]] == [(DEP, SHA), (DEP2, "b" * 64)]
        assert result["changed"] is False


def test_copy_from_not_found(auth_file):
    calls = [GET("/deployments", page(), query={"filter[tags]": "v9"}), GET("/deployments", page())]
    args = {"device_group": DG2, "copy_from": "v9", "auth_file": auth_file}
    result = playback("deployment", args, calls, fails=True)
    assert result["msg"] == 'Deployment "v9" is not found.'
