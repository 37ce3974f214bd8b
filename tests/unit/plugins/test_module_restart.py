"""The restart module: first run, repeat, check mode and its failures, at the HTTP level."""

from imp_playback import (
    DG,
    GET,
    GROUP,
    HIERARCHY_MISSING,
    NEW_GROUP,
    POST,
    page,
    playback,
)


def test_restart_is_an_action(auth_file):
    args = {"device_groups": [DG], "conditional": True, "auth_file": auth_file}
    calls = [GROUP, POST(f"/devicegroups/{DG}/conditional_restart")]
    assert playback("restart", args, calls)["changed"] is True
    result = playback("restart", args, [GROUP], check=True)
    assert result["changed"] is True and result["device_groups"] == [DG]


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
