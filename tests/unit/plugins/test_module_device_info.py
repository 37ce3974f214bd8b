"""The device_info module: first run, repeat, check mode and its failures, at the HTTP level."""

from imp_playback import (
    DEV,
    DEV2,
    DG,
    GET,
    device,
    fails,
    four_reads,
    group,
    listing,
    one,
)


def test_device_info_of_a_group(auth_file):
    calls = [
        GET(f"/devicegroups/{DG}", one(group())),
        listing(
            "/devices",
            device(dg=DG, name="bench-1"),
            device(DEV2, mac="0c:2a:69:05:0d:63", dg=DG),
            filter__devicegroup__id=DG,
        ),
    ]
    result = four_reads("device_info", {"device_group": DG, "auth_file": auth_file}, calls)
    assert [(d["id"], d["name"], d["device_group"]) for d in result["devices"]] == [
        (DEV, "bench-1", DG),
        (DEV2, None, DG),
    ]


def test_device_info_unassigned(auth_file):
    calls = [listing("/devices", device(), filter__devicegroup__owner__id="null")]
    result = four_reads("device_info", {"unassigned": True, "auth_file": auth_file}, calls)
    assert [d["id"] for d in result["devices"]] == [DEV]


def test_device_info_identifier_ignores_the_filters(auth_file):
    args = {"device": DEV, "device_group": "dev", "auth_file": auth_file}
    result = four_reads("device_info", args, [GET(f"/devices/{DEV}", one(device(name="bench-1")))])
    assert [(d["id"], d["mac_address"]) for d in result["devices"]] == [(DEV, "0c:2a:69:05:0d:62")]


def test_device_info_unknown_group_fails(auth_file):
    args = {"device_group": "missing", "auth_file": auth_file}
    result = fails("device_info", args, [listing("/devicegroups", group())])
    assert result["msg"] == 'Device Group "missing" is not found.'
