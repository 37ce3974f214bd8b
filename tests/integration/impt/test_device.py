"""impt device commands against the emulator."""


def test_list_and_filters(impt, product):
    result = impt.ok("device", "list")
    assert result.lines[0].startswith("Device list (")
    assigned = impt.ok("device", "list", "--assigned", "-z", "json").json
    assert [d["Device"]["name"] for d in assigned] == ["sensor-1"]
    assert assigned[0]["Device"]["Device Group"]["name"] == "DG1"
    unassigned = impt.ok("device", "list", "-u", "-z", "json").json
    assert "sensor-1" not in [d["Device"].get("name") for d in unassigned]
    assert impt.ok("device", "list", "-g", "DG1", "-g", "nope", "-z", "json").json == assigned
    assert impt.ok("device", "list", "-g", "nope").lines[0] == "No Devices are found."


def test_info_and_ambiguity(impt, emulator, product):
    data = impt.ok("device", "info", "-d", "sensor-1", "-z", "json").json["Device"]
    assert data["Device Group"]["Current Deployment"]["id"] == product["build"]
    emulator.add_device(name="twin")
    emulator.add_device(name="twin")
    result = impt("device", "info", "-d", "twin")
    assert result.code == 4 and result.lines[0] == 'Error: Multiple Devices "twin" are found:'
    assert result.lines[-2:] == ["Impossible to execute the command.", "IMPT COMMAND FAILS"]
    as_json = impt("device", "info", "-d", "twin", "-z", "json").json  # beyond 2.6: the candidates too
    assert as_json["Error"] == 'Multiple Devices "twin" are found:'
    assert [c["Device"]["name"] for c in as_json["Candidates"]] == ["twin", "twin"]
    minimal = impt("device", "info", "-d", "twin", "-z", "minimal")
    # impt-behaviour.md: "Multiple matches (text & minimal)": candidates, then the closing line
    assert minimal.code == 4 and minimal.lines[0] == 'Error: Multiple Devices "twin" are found:'
    assert minimal.lines.count("Device: ") == 2 and minimal.lines[-1] == "Impossible to execute the command."


def test_assign_unassign_update_restart(impt, product):
    impt.ok("dg", "create", "-n", "DG2", "-p", "P1")
    again = impt.ok("device", "assign", "-d", "sensor-1", "-g", "DG1")
    assert again.lines[0] == 'Device "sensor-1" is already assigned to Device Group "DG1".'
    assert impt("device", "assign", "-d", "sensor-1", "-g", "DG2").code == 2
    assert impt.ok("device", "assign", "-d", "sensor-1", "-g", "DG2", "-q").lines[0] == (
        'Device "sensor-1" is assigned successfully to Device Group "DG2".'
    )
    assert impt.ok("device", "restart", "-d", "sensor-1", "-c").lines[0] == (
        'Conditional restart request for Device "sensor-1" is successful.'
    )
    assert impt.ok("device", "update", "-d", "sensor-1", "-n", "renamed").lines[0] == (
        'Device "sensor-1" is updated successfully.'
    )
    assert impt.ok("device", "unassign", "-d", "renamed").lines[0] == 'Device "renamed" is unassigned successfully.'
    assert impt.ok("device", "unassign", "-d", "renamed").lines[0] == 'Device "renamed" is already unassigned.'
    assert impt("device", "update", "-d", "nope", "-n", "x").code == 4
    assert impt("device", "update", "-d", "renamed").code == 2
    empty = impt("device", "update", "-d", "renamed", "-n", "")
    assert empty.code == 2 and empty.lines[0] == 'Error: Option "--name" must not be empty.'


def test_remove(impt, emulator):
    device = emulator.add_device(name="spare")
    assert impt("device", "remove", "-d", "spare").code == 2
    result = impt.ok("device", "remove", "-d", "spare", "-q")
    assert result.lines[0] == 'Device "spare" is removed successfully.'
    assert impt("device", "remove", "-d", device["id"], "-q", "-z", "json").code == 4


def test_remove_assigned_device_needs_force(impt, product, emulator):
    emulator.clear_requests()
    refused = impt("device", "remove", "-d", "sensor-1", "-q")
    assert refused.code == 1 and refused.lines[0].startswith('Error: Device "sensor-1" is assigned to a Device Group.')
    assert not [r for r in emulator.requests() if r["method"] != "GET"]
    device_id = impt.ok("device", "info", "-d", "sensor-1", "-z", "json").json["Device"]["id"]
    forced = impt.ok("device", "remove", "-d", "sensor-1", "-f", "-q")
    assert forced.lines[0] == f'Device "{device_id}" is unassigned successfully.'
    assert forced.lines[1] == 'Device "sensor-1" is removed successfully.'
