"""impt build commands against the emulator."""

import os


def test_deploy_messages_and_missing_files(impt, product):
    result = impt.ok("build", "deploy", "-g", "DG1", "-x", "device.nut")
    assert result.lines[0] == "--agent-file option is not specified, empty agent code will be deployed."
    missing = impt("build", "deploy", "-g", "DG1", "-x", "nope.nut")
    assert missing.code == 1 and missing.lines[0] == 'Error: File with IMP device source code "nope.nut" is not found.'
    (impt.cwd / "big.nut").write_bytes(b"x" * (4 * 1024 * 1024 + 1))
    too_big = impt("build", "deploy", "-g", "DG1", "-x", "big.nut")
    assert too_big.code == 1 and "4 MiB" in too_big.lines[0]


def test_info_list_update(impt, product):
    info = impt.ok("build", "info", "-b", "tag1", "-z", "json").json["Deployment"]
    assert info["device_code"].startswith("server.log") and info["Device Group"]["name"] == "DG1"
    assert "  device_code: " in impt.ok("build", "info", "-b", product["sha"]).lines
    listed = impt.ok("build", "list", "-g", "DG1", "-f", "-z", "json").json
    assert [b["Deployment"]["id"] for b in listed] == [product["build"]]
    assert impt.ok("build", "list", "--zombie").lines[0] == "No Deployments are found."
    impt.ok("build", "update", "-b", "tag1", "-t", "tag2", "-r", "tag1", "--flagged", "false", "-s", "new")
    # Nothing to change: success, as in impt 2.6, and no request is needed for it.
    assert impt.ok("build", "update", "-b", "tag2").lines[0] == 'Deployment "tag2" is updated successfully.'
    updated = impt.ok("build", "info", "-b", product["build"], "-z", "json").json["Deployment"]
    assert updated["tags"] == ["tag2"] and updated["flagged"] is False and updated["description"] == "new"
    assert impt("build", "info", "-b", "nope").code == 4


def test_get_copy_run(impt, product):
    out_dir = impt.cwd
    result = impt.ok("build", "get", "-b", product["build"], "-x", "d.nut", "-y", "a.nut")
    assert result.lines[0] == f'Deployment "{product["build"]}" source file(s) are downloaded successfully.'
    assert (out_dir / "d.nut").read_text() == 'server.log("device");\n'
    assert impt("build", "get", "-b", product["build"], "-x", "d.nut", "-y", "a.nut").code == 2
    assert impt("build", "get", "-b", product["build"]).code == 1
    impt.ok("dg", "create", "-n", "DG2", "-p", "P1")
    copied = impt.ok("build", "copy", "-b", product["build"], "-g", "DG2", "--all")
    new_id = copied.lines[0].split('"')[1]
    assert copied.lines[0] == f'Deployment "{new_id}" is created successfully.'  # impt 2.6 prints both lines
    assert copied.lines[1] == f'Deployment "{product["build"]}" is copied successfully to Deployment "{new_id}".'
    assert copied.lines[2:] == ["IMPT COMMAND SUCCEEDS"]  # no Deployment block, as impt 2.6.1 (issue 23)
    assert impt.ok("build", "copy", "-b", product["build"], "-g", "DG2", "-z", "minimal").out == ""
    copied_json = impt.ok("build", "copy", "-b", product["build"], "-g", "DG2", "-z", "json").json
    assert set(copied_json) == {"Deployment"}  # 2.6.1 prints {}: ours names the new build (docs/docsite/rst/impt.rst)
    run = impt.ok("build", "run", "-g", "DG1", "-x", "device.nut")
    assert 'Restart request for Devices assigned to Device Group "DG1" is successful:' in run.lines
    as_json = impt.ok("build", "run", "-g", "DG1", "-x", "device.nut", "-z", "json").json  # one document
    assert set(as_json) == {"Deployment"}
    assert impt("build", "copy", "-b", product["build"], "-g", "nope").code == 4
    assert oct(os.stat(out_dir / "d.nut").st_mode)[-3:] == "644"


def test_delete_and_cleanup(impt, product):
    flagged = impt("build", "delete", "-b", product["build"], "-q")
    # impcentral-api §13's wording for a flagged deployment, then ours (issue 23)
    assert flagged.code == 1 and flagged.lines[0].startswith(
        "Error: Resource Flagged: You cannot delete flagged deployments; set the flagged attribute to false and "
        f'try again. Nothing was deleted: Deployment "{product["build"]}" is flagged'
    )
    second = impt.ok("build", "deploy", "-g", "DG1", "-z", "json").json["Deployment"]["id"]
    assert impt.ok("build", "delete", "-b", product["build"], "-f", "-q").lines[-2] == (
        f'Deployment "{product["build"]}" is deleted successfully.'
    )
    impt.ok("dg", "delete", "-g", "DG1", "-f", "-q")
    assert impt.ok("build", "cleanup", "-q").lines[0] in (
        f'Deployment "{second}" is deleted successfully.',
        "No Deployments are found.",
    )
    assert impt("build", "cleanup", "-p", "nope", "-q").code == 4


def test_compile_errors_are_kept_in_every_mode(impt, product):
    (impt.cwd / "bad.nut").write_text('function f() {\n  server.log("}");\n')
    location = (
        "device_code error (line 3, column 1): expression expected"  # Squirrel's own compiler, at the end of the file
    )
    for command in ("deploy", "run"):
        failed = impt("build", command, "-g", "DG1", "-x", "bad.nut", "-z", "json")
        assert failed.code == 1
        assert failed.json == {"Error": "Compilation Error: The code failed to compile.", "Details": [location]}
        minimal = impt("build", command, "-g", "DG1", "-x", "bad.nut", "-z", "minimal")
        assert minimal.lines == ["Error: Compilation Error: The code failed to compile.", location]
        text = impt("build", command, "-g", "DG1", "-x", "bad.nut")
        assert text.lines[-3:] == [
            "Error: Compilation Error: The code failed to compile.",
            location,
            "IMPT COMMAND FAILS",
        ]


def test_run_checks_files_before_the_group(impt, product):
    missing = impt("build", "run", "-g", "nope", "-x", "missing.nut")
    assert missing.code == 1
    assert missing.lines[0] == 'Error: File with IMP device source code "missing.nut" is not found.'


def test_run_moves_min_supported_and_description_as_2_6(impt, product):
    old = impt.ok("build", "deploy", "-g", "DG1", "-z", "json").json["Deployment"]["id"]
    impt.ok("build", "update", "-b", product["build"], "--flagged", "false")
    run = impt.ok("build", "run", "-g", "DG1", "-x", "device.nut", "-s", "release 2", "-z", "json").json
    new = run["Deployment"]["id"]
    group = impt.ok("dg", "info", "-g", "DG1", "-z", "json").json["Device Group"]
    assert group["Min supported Deployment"]["id"] == new and group["description"] == "release 2"
    # Every older build is now older than the min supported one: `dg builds --remove` deletes them.
    removed = impt.ok("dg", "builds", "-g", "DG1", "--remove", "-q")
    assert f'Deployment "{old}" is deleted successfully.' in removed.lines
    assert f'Deployment "{product["build"]}" is deleted successfully.' in removed.lines
    assert impt("build", "info", "-b", old).code == 4


def test_run_log_says_the_build_runs_before_the_stream(impt, product, monkeypatch):
    from impt import logstream

    streamed = []
    monkeypatch.setattr(logstream, "follow_logs", lambda ctx, ids: streamed.append(ids))
    run = impt.ok("build", "run", "-g", "DG1", "-x", "device.nut", "--log")
    new = run.lines[1].split('"')[1]
    assert run.lines[1] == f'Deployment "{new}" is created successfully.'
    assert f'Deployment "{new}" is run successfully.' in run.lines and len(streamed) == 1


def test_get_never_creates_directories(impt, product):
    result = impt("build", "get", "-b", product["build"], "-x", "no/such/d.nut", "-y", "a.nut", "-q")
    assert result.code == 1 and "does not exist" in result.lines[0]
    assert not (impt.cwd / "no").exists()
