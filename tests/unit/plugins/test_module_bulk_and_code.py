"""device_group_devices, deployment, webhook, restart, login_key: four runs each."""

from imp_playback import (
    DELETE,
    DEP,
    DEP2,
    DEV,
    DEV2,
    DG,
    GET,
    PATCH,
    POST,
    deployment,
    device,
    four_runs,
    group,
    one,
    page,
    playback,
    resource,
)

GROUP = GET(f"/devicegroups/{DG}", one(group()))


def members(*devices):
    return GET("/devices", page(*devices), query={"filter[devicegroup.id]": DG})


def test_bulk_exclusive_is_one_post_and_one_delete(auth_file):
    stranger = device("aaaaaaaaaaaa0001", mac="0c:2a:69:00:00:01", dg=DG)
    args = {"device_group": DG, "devices": [DEV, "0c:2a:69:05:0d:63"], "exclusive": True, "auth_file": auth_file}
    first = [
        GROUP,
        members(stranger),
        POST(
            f"/devicegroups/{DG}/relationships/devices",
            json_body={"data": [{"type": "device", "id": DEV}, {"type": "device", "id": "0c:2a:69:05:0d:63"}]},
        ),
        DELETE(
            f"/devicegroups/{DG}/relationships/devices",
            json_body={"data": [{"type": "device", "id": "aaaaaaaaaaaa0001"}]},
        ),
    ]
    repeat = [GROUP, members(device(dg=DG), device(DEV2, mac="0c:2a:69:05:0d:63", dg=DG))]
    results = four_runs("device_group_devices", args, first, repeat)
    assert results[2]["added"] == [DEV, "0c:2a:69:05:0d:63"] and results[2]["removed"] == ["aaaaaaaaaaaa0001"]
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
