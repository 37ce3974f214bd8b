"""device: four runs for naming and assigning, unassigning, removing."""

from imp_playback import DELETE, DEV, DG, DG2, GET, PATCH, POST, device, four_runs, group, one, page, playback


def test_name_and_assign(auth_file):
    args = {"device": DEV, "name": "bench-1", "device_group": DG2, "auth_file": auth_file}
    first = [
        GET(f"/devices/{DEV}", one(device(dg=DG))),
        GET(f"/devicegroups/{DG2}", one(group("other", DG2))),
        PATCH(
            f"/devices/{DEV}",
            one(device(name="bench-1", dg=DG)),
            json_body={"data": {"attributes": {"name": "bench-1"}}},
        ),
        POST(f"/devicegroups/{DG2}/relationships/devices", json_body={"data": [{"type": "device", "id": DEV}]}),
    ]
    repeat = [
        GET(f"/devices/{DEV}", one(device(name="bench-1", dg=DG2))),
        GET(f"/devicegroups/{DG2}", one(group("other", DG2))),
    ]
    results = four_runs("device", args, first, repeat)
    assert results[0]["device"]["device_group"] == DG2
    assert results[2]["diff"] == {
        "before": {**results[2]["diff"]["before"], "name": None, "device_group": DG},
        "after": {**results[2]["diff"]["before"], "name": "bench-1", "device_group": DG2},
    }


def test_unassign(auth_file):
    args = {"device": "0c:2a:69:05:0d:62", "state": "unassigned", "auth_file": auth_file}
    first = [
        GET("/devices/0c:2a:69:05:0d:62", one(device(dg=DG))),
        DELETE(f"/devicegroups/{DG}/relationships/devices", json_body={"data": [{"type": "device", "id": DEV}]}),
    ]
    repeat = [GET("/devices/0c:2a:69:05:0d:62", one(device()))]
    results = four_runs("device", args, first, repeat)
    assert "device_group" not in results[0]["device"]


def test_remove_forced(auth_file):
    args = {"device": DEV, "state": "absent", "force": True, "auth_file": auth_file}
    first = [
        GET(f"/devices/{DEV}", one(device(dg=DG))),
        DELETE(f"/devicegroups/{DG}/relationships/devices"),
        DELETE(f"/devices/{DEV}"),
    ]
    gone = GET(f"/devices/{DEV}", {"errors": [{"status": "404", "title": "Not Found"}]})
    gone.status = 404
    repeat = [gone, GET("/devices", page())]
    four_runs("device", args, first, repeat)


def test_unknown_device_fails(auth_file):
    result = playback("device", {"device": "bench-9", "auth_file": auth_file}, [GET("/devices", page())], fails=True)
    assert "BlinkUp" in result["msg"]


def test_group_by_name_is_one_listing(auth_file):
    args = {"device": DEV, "device_group": "dev", "auth_file": auth_file}
    result = playback("device", args, [GET(f"/devices/{DEV}", one(device(dg=DG))), GET("/devicegroups", page(group()))])
    assert result["changed"] is False
