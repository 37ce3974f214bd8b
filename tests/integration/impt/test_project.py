"""impt project commands against the emulator: the .impt.project file and its consumers."""

import json


def _project(impt) -> dict:
    text = (impt.cwd / ".impt.project").read_text()
    assert not text.endswith("\n") and text == json.dumps(json.loads(text), indent=2)
    return json.loads(text)


def test_create_info_and_consumers(impt):
    result = impt.ok("project", "create", "-p", "PX", "-c", "-n", "PXDG", "-s", "px dg", "-q")
    assert result.lines[:5] == [
        'Product "PX" is created successfully.',
        'Device Group "PXDG" is created successfully.',
        'Device source file "device.nut" is created successfully.',
        'Agent source file "agent.nut" is created successfully.',
        "Project is created successfully.",
    ]
    assert result.lines[5:8] == ["Project: ", "  Device file:  device.nut", "  Agent file:   agent.nut"]
    project = _project(impt)
    assert list(project) == ["deviceGroupId", "deviceFile", "agentFile"]
    assert (impt.cwd / "device.nut").read_text() == "" and (impt.cwd / "agent.nut").read_text() == ""
    info = impt.ok("project", "info", "-z", "json").json["Project"]
    assert info["Device Group"]["id"] == project["deviceGroupId"] and info["Device Group"]["Product"]["name"] == "PX"
    assert "Auth" in impt.ok("project", "info", "--full", "-z", "json").json
    (impt.cwd / "device.nut").write_text('server.log("x");')
    build = impt.ok("build", "deploy", "-z", "json").json["Deployment"]
    assert impt.ok("build", "info", "-z", "json").json["Deployment"]["id"] == build["id"]
    assert impt.ok("dg", "info", "-z", "json").json["Device Group"]["name"] == "PXDG"
    assert impt.ok("product", "info", "-z", "json").json["Product"]["name"] == "PX"
    assert impt("project", "create", "-p", "PX", "-n", "Other").code == 2  # overwrite needs --confirmed
    assert impt("project", "create", "-p", "nope", "-n", "X", "-q").lines[0] == 'Error: Product "nope" is not found.'


def test_pre_factory_with_created_targets(impt):
    bad = impt("project", "create", "-p", "PF", "-c", "-n", "FF", "-f", "-q")
    assert bad.code == 2 and bad.lines[0] == 'Error: Options "--pre-factory" and "--target" must be specified together.'
    result = impt.ok("project", "create", "-p", "PF", "-c", "-n", "FF", "-f", "-t", "PR", "-r", "-u", "DU", "-w", "-q")
    assert 'Device Group "PR" is created successfully.' in result.lines
    group = impt.ok("project", "info", "-z", "json").json["Project"]["Device Group"]
    assert group["type"] == "pre-factory" and group["Production Target"]["name"] == "PR"
    assert group["DUT Target"]["type"] == "pre-dut"
    wrong = impt("project", "link", "-g", "PR", "-q")
    assert wrong.lines[0] == (
        'Error: Project can not be linked to Device Group of the type "pre-production". '
        'Only "development" or "pre-factory" Device Groups are allowed.'
    )
    deleted = impt.ok("project", "delete", "-e", "-q")
    assert sum(line.startswith("Device Group ") for line in deleted.lines) == 3
    assert any(line.startswith("Product ") for line in deleted.lines)
    assert impt.ok("product", "list", "-z", "json").json == []


def test_link_update_and_delete_files(impt, product):
    linked = impt.ok("project", "link", "-g", "DG1", "-x", "dev.nut", "-q")
    assert "Project is linked successfully." in linked.lines and (impt.cwd / "dev.nut").exists()
    updated = impt.ok("project", "update", "-n", "DG9", "-s", "new", "-y", "ag.nut")
    assert 'Agent source file "ag.nut" is created successfully.' in updated.lines
    assert _project(impt)["agentFile"] == "ag.nut"
    assert impt.ok("dg", "info", "-g", "DG9", "-z", "json").json["Device Group"]["description"] == "new"
    assert impt("project", "update", "-t", "DG9").code == 2  # targets only for pre-factory
    deleted = impt.ok("project", "delete", "--files", "-q")
    assert "Device/agent source files dev.nut, ag.nut are deleted successfully." in deleted.lines
    assert not (impt.cwd / ".impt.project").exists() and not (impt.cwd / "dev.nut").exists()
    assert impt.ok("dg", "info", "-g", "DG9").code == 0  # entities kept without --entities
    assert impt.ok("project", "delete", "-q").lines[0] == "There is no Project File in the current directory."
    assert impt("project", "info").lines[0] == "Error: Project File is not found in the current directory."


def test_outdated_and_corrupted_project(impt, product):
    impt.ok("project", "link", "-g", "DG1", "-q")
    group_id = _project(impt)["deviceGroupId"]
    impt.ok("dg", "delete", "-g", "DG1", "-f", "-q")
    for argv in (("project", "info"), ("build", "deploy"), ("project", "update", "-n", "x"), ("log", "stream")):
        result = impt(*argv)
        assert result.code == 1 and result.lines[:3] == [
            f'Error: Device Group "{group_id}", saved in Project File, does not exist anymore.',
            "Impossible to execute the command.",
            'Use "impt project delete" command to delete the outdated Project.',
        ]
    assert impt.ok("project", "delete", "-a", "-q").lines[-2] == "Project is deleted successfully."
    (impt.cwd / ".impt.project").write_text("{broken")
    broken = impt("project", "info")
    assert broken.lines == ["Error: Project File is corrupted.", "IMPT COMMAND FAILS"]
    assert impt("build", "deploy", "-z", "json").json == {"Error": "Project File is corrupted."}


def test_update_minimal_project_file_takes_defaults(impt, product):
    """Only deviceGroupId is required: the file names default, and nothing fails after the rename."""
    group_id = impt.ok("dg", "info", "-g", "DG1", "-z", "json").json["Device Group"]["id"]
    (impt.cwd / ".impt.project").write_text(json.dumps({"deviceGroupId": group_id}))
    info = impt.ok("project", "info", "-z", "json").json["Project"]
    assert info["Device file"] == "device.nut" and info["Agent file"] == "agent.nut"
    impt.ok("project", "update", "-n", "DG1-renamed")
    assert _project(impt) == {"deviceGroupId": group_id, "deviceFile": "device.nut", "agentFile": "agent.nut"}
    assert impt.ok("dg", "info", "-g", group_id, "-z", "json").json["Device Group"]["name"] == "DG1-renamed"


def test_update_fails_before_renaming_when_a_source_file_can_not_be_created(impt, product):
    impt.ok("project", "link", "-g", "DG1", "-q")
    (impt.cwd / "plain").write_text("")
    failed = impt("project", "update", "-n", "DG2", "-x", "plain/device.nut")
    assert failed.code == 1 and failed.lines[0].startswith("Error: File error: ")
    assert impt.ok("dg", "info", "-g", "DG1", "-z", "json").json["Device Group"]["name"] == "DG1"
    assert _project(impt)["deviceFile"] == "device.nut"


def test_create_missing_target_names_its_role(impt, product):
    missing = impt("project", "create", "-p", "P1", "-n", "X", "-f", "-t", "NEWT", "-u", "NEWD", "-q")
    assert missing.code != 0 and missing.lines[0] == 'Error: Production Target Device Group "NEWT" is not found.'
    impt.ok("dg", "create", "-n", "PR", "-p", "P1", "-y", "pre-production")
    no_dut = impt("project", "create", "-p", "P1", "-n", "X", "-f", "-t", "PR", "-u", "NEWD", "-q")
    assert no_dut.lines[0] == 'Error: DUT Target Device Group "NEWD" is not found.'
    impt.ok("project", "create", "-p", "P1", "-n", "FF", "-f", "-t", "PR", "-u", "DU", "-w", "-q")
    updated = impt("project", "update", "-t", "NOPE")
    assert updated.lines[0] == 'Error: Production Target Device Group "NOPE" is not found.'


def test_create_checks_existing_targets_before_creating_anything(impt, product, emulator):
    """A target to be found (no --create-*) that is missing fails before the DUT or Product is made."""
    emulator.clear_requests()
    failed = impt("project", "create", "-p", "P1", "-n", "X", "-f", "-t", "NEWT", "-u", "NEWD", "-w", "-q")
    assert failed.code == 4 and failed.lines[0] == 'Error: Production Target Device Group "NEWT" is not found.'
    new_product = impt("project", "create", "-p", "P9", "-c", "-n", "X", "-f", "-t", "T", "-r", "-u", "D", "-q")
    assert new_product.lines[0] == 'Error: DUT Target Device Group "D" is not found.'
    assert not [r for r in emulator.requests() if r["method"] != "GET"]


def test_delete_corrupted_project_file(impt, product):
    for text in ("{broken", '{"deviceGroupId": 5}'):
        (impt.cwd / ".impt.project").write_text(text)
        deleted = impt.ok("project", "delete", "-a", "-q")
        assert deleted.lines[0].startswith("Project File is corrupted: the Device Group and source files")
        assert deleted.lines[-2] == "Project is deleted successfully."
        assert not (impt.cwd / ".impt.project").exists() and (impt.cwd / "device.nut").exists()
    (impt.cwd / ".impt.project").write_text("{broken")
    assert impt.ok("project", "delete", "-q").lines == ["Project is deleted successfully.", "IMPT COMMAND SUCCEEDS"]
    assert impt.ok("dg", "info", "-g", "DG1").code == 0


def test_file_options_never_create_directories(impt, product, emulator):
    emulator.clear_requests()
    refused = impt("project", "create", "-p", "P1", "-n", "DGX", "-x", "src/device.nut", "-q")
    assert refused.code == 1 and refused.lines[0].startswith("Error: File error: src/device.nut: the directory ")
    assert not (impt.cwd / "src").exists()
    assert not [r for r in emulator.requests() if r["method"] != "GET"]  # refused before the first write
    linked = impt("project", "link", "-g", "DG1", "-y", "lib/agent.nut", "-q")
    assert linked.code == 1 and not (impt.cwd / "lib").exists()
    assert not (impt.cwd / ".impt.project").exists()
