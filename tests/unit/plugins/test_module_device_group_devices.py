"""The device_group_devices module: first run, repeat, check mode and its failures, at the HTTP level."""

from imp_playback import (
    DELETE,
    DEV,
    DEV2,
    DG,
    GET,
    GROUP,
    POST,
    Call,
    both_modes_fail,
    device,
    four_runs,
    page,
    playback,
)


def members(*devices):
    return GET("/devices", page(*devices), query={"filter[devicegroup.id]": DG})


def test_unknown_device_fails_before_any_write_in_both_modes(auth_file):
    args = {"device_group": DG, "devices": [DEV, "ffffffffffff0000"], "auth_file": auth_file}
    members = GET("/devices", page(), query={"filter[devicegroup.id]": DG})
    calls = [GROUP, members, GET("/devices", page(device()))]
    for result in both_modes_fail("device_group_devices", args, calls):
        assert result["msg"].startswith('Device "ffffffffffff0000" is not found.')


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
