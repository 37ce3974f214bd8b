"""impt test commands against the emulator, `test run` end to end through the simulated impUnit device."""

import json
import os

import pytest

from impt.commands.test import runner as test_run

PASSING = """class MyTestCase extends ImpTestCase {
  function setUp() { }
  function testMe() { info("hello"); this.assertTrue(true); }
  function testMe_1() { this.assertEqual(1, 1); }
}
"""
FAILING = """class Broken extends ImpTestCase {
  function testThrows() { throw "boom"; }
  function testAssert() { this.assertTrue(false); }
}
"""


def device_id(impt, name: str = "sensor-1") -> str:
    return impt.ok("device", "info", "-d", name, "-z", "json").json["Device"]["id"]


@pytest.fixture
def tested(impt, product):
    tests = impt.cwd / "tests"
    tests.mkdir()
    (tests / "my.agent.test.nut").write_text(PASSING)
    impt.ok("test", "create", "-g", "DG1", "-q")
    return impt


def test_create_info_update(impt, product):
    missing = impt("test", "create", "-g", "DG1", "-x", "nope.nut")
    assert missing.lines[0] == 'Error: Device file "nope.nut" is not found.' and not (impt.cwd / ".impt.test").exists()
    created = impt.ok("test", "create", "-g", "DG1", "-x", "device.nut", "-i", "gh.json", "-t", "10", "-s")
    assert "GitHub credentials Configuration File gh.json is not found." in created.lines
    text = (impt.cwd / ".impt.test").read_text()
    config = json.loads(text)
    assert not text.endswith("\n") and list(config) == [
        "deviceGroupId",
        "timeout",
        "stopOnFail",
        "allowDisconnect",
        "builderCache",
        "testFiles",
        "deviceFile",
        "githubConfig",
    ]
    assert config["timeout"] == 10 and config["stopOnFail"] is True
    info = impt.ok("test", "info", "-z", "json").json["Test Configuration"]
    assert info["Test files"] == ["*.test.nut", "tests/**/*.test.nut"] and info["Device file"] == "device.nut"
    assert info["Device Group"]["name"] == "DG1" and info["Device Group"]["Devices"][0]["Device"]["name"] == "sensor-1"
    impt.ok("test", "update", "-x", "-i", "-f", "a.test.nut", "-s", "false", "-y", "agent.nut")
    config = json.loads((impt.cwd / ".impt.test").read_text())
    assert "deviceFile" not in config and "githubConfig" not in config and config["agentFile"] == "agent.nut"
    assert config["testFiles"] == ["a.test.nut"] and config["stopOnFail"] is False and config["timeout"] == 10
    assert impt("test", "create", "-g", "DG1").code == 2  # overwrite needs --confirmed without a terminal


def test_github_credentials_never_printed(impt):
    for mode in ((), ("-z", "json"), ("-z", "debug"), ("-z", "minimal")):
        result = impt.ok("test", "github", "-i", "gh.json", "-u", "ghuser", "-w", "s3cr3t-token", "-q", *mode)
        assert "s3cr3t-token" not in result.out + result.err
    path = impt.cwd / "gh.json"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert json.loads(path.read_text()) == {"githubUser": "ghuser", "githubToken": "s3cr3t-token"}
    assert impt("test", "github", "-i", "gh.json", "-w", "x", "-q").code == 2
    assert impt("test", "github", "-i", "other.json").code == 2  # no terminal to ask for the user


def test_run_passes(tested):
    result = tested.ok("test", "run")
    lines = result.lines
    assert lines[0].startswith("[info] Started at ")
    assert "\ttests/my.agent.test.nut" in lines
    texts = [line.split("] ", 1)[1] for line in lines if line.startswith("[")]
    for expected in ("MyTestCase::testMe()", '"hello"', "Tests: 2, Assertions: 2, Failures: 0", "Testing succeeded"):
        assert expected in texts
    assert lines[-1] == "IMPT COMMAND SUCCEEDS"


def test_run_failures_selection_and_stop_on_fail(tested):
    (tested.cwd / "tests" / "z.agent.test.nut").write_text(FAILING)
    failed = tested("test", "run")
    assert failed.code == 1 and failed.lines[-2:] == ["Error: Testing failed", "IMPT COMMAND FAILS"]
    summary = [line.split("] ", 1)[1] for line in failed.lines if line.startswith("[")]
    assert "Failure: boom" in summary and "Failure: Failed to assert that condition is true" in summary
    assert "Tests: 4, Assertions: 3, Failures: 2" in summary
    only = tested.ok("test", "run", "-t", "my:MyTestCase::testMe_1")
    assert "Tests: 1, Assertions: 1, Failures: 0" in only.out and "Broken" not in only.out
    skipped = tested("test", "run", "-t", ":Broken::testThrows")
    assert 'Skip "tests/my.agent.test.nut" testing' in skipped.out and skipped.code == 1
    tested.ok("test", "update", "-s", "-f", "tests/z*.test.nut", "-f", "tests/my*.test.nut")
    stopped = tested("test", "run")
    assert stopped.code == 1 and "MyTestCase" not in stopped.out
    as_json = tested("test", "run", "-z", "json")
    assert as_json.code == 1 and as_json.json["Error"] == "Testing failed"
    assert as_json.json["Test Summary"]["Failures"][0] == {
        "test": "Broken::testThrows()",
        "file": "tests/z.agent.test.nut",
        "error": "boom",
    }


def test_run_device_test_with_sources_and_builder(tested, emulator):
    (tested.cwd / "tests" / "my.agent.test.nut").unlink()
    (tested.cwd / "lib.nut").write_text("const LIMIT = @{limit};")
    (tested.cwd / "bvars.json").write_text('{"limit": 3}')
    (tested.cwd / "tests" / "dev.test.nut").write_text('@include "../lib.nut"\n' + PASSING)
    tested.ok("test", "update", "-x", "device.nut", "-j", "bvars.json")
    result = tested.ok("test", "run")
    assert "Using device source file: device.nut" in result.out and "Testing succeeded" in result.out
    build_id = next(line.split('"')[1] for line in result.lines if line.startswith('Deployment "'))
    code = tested.ok("build", "info", "-b", build_id, "-z", "json").json["Deployment"]["device_code"]
    assert "const LIMIT = 3;" in code and "ImpUnitRunner" in code


def test_run_bad_input(tested, emulator, monkeypatch):
    assert tested("test", "run", "-t", "nothing-matches").lines[-2] == "Error: No test files found"
    assert tested("test", "run", "-t", "[").code == 2
    tested.ok("device", "unassign", "-d", "sensor-1")
    assert tested("test", "run").lines[-2] == 'Error: Device Group "DG1" does not have assigned Devices.'
    tested.ok("device", "assign", "-d", "sensor-1", "-g", "DG1")
    monkeypatch.setattr(test_run, "START_TIMEOUT", 1.5)
    (tested.cwd / "tests" / "my.agent.test.nut").rename(tested.cwd / "tests" / "my.device.test.nut")
    emulator.admin("PATCH", f"devices/{device_id(tested)}", {"online": False})  # device tests never start
    timed_out = tested("test", "run")
    assert "Session startup timeout" in timed_out.out and timed_out.code == 1
    (tested.cwd / ".impt.test").write_text('{"deviceGroupId": 5}')
    assert tested("test", "info").lines[0] == "Error: Test Configuration File is corrupted."


def test_delete(tested):
    (tested.cwd / "gh.json").write_text('{"githubUser": "u", "githubToken": "t"}')
    (tested.cwd / ".builder-cache").mkdir()
    tested.ok("test", "update", "-i", "gh.json")
    result = tested.ok("test", "delete", "--all", "-q")
    assert "GitHub credentials Configuration is deleted successfully." in result.lines
    assert "Builder cache .builder-cache directory is deleted successfully." in result.lines
    assert result.lines[-2] == "Test Configuration is deleted successfully."
    assert any(line.startswith('Product "') for line in result.lines)
    assert not (tested.cwd / "gh.json").exists() and not (tested.cwd / ".impt.test").exists()
    assert tested.ok("test", "delete").lines[0] == "There is no Test Configuration File in the current directory."
    assert tested("test", "info").lines[0] == "Error: Test Configuration File is not found in the current directory."


def test_create_cleans_builder_cache(impt, product):
    for argv in ((), ("-e",), ("-e", "true"), ("-e", "false")):
        (impt.cwd / ".builder-cache" / "lib").mkdir(parents=True, exist_ok=True)
        impt.ok("test", "create", "-g", "DG1", "-q", *argv)
        assert not (impt.cwd / ".builder-cache").exists(), argv
    (impt.cwd / ".builder-cache").mkdir()
    impt.ok("test", "update", "-e", "true")
    assert (impt.cwd / ".builder-cache").exists()


def test_run_absolute_test_file_pattern(tested):
    tested.ok("test", "update", "-f", f"{tested.cwd}/tests/*.test.nut")
    result = tested.ok("test", "run")
    assert "\ttests/my.agent.test.nut" in result.lines and "Testing succeeded" in result.out
    tested.ok("test", "update", "-f", "tests/a**b")
    bad = tested("test", "run")
    assert bad.lines[-2:] == [
        'Error: Test file pattern "tests/a**b" is invalid: '
        "Invalid pattern: '**' can only be an entire path component.",
        "IMPT COMMAND FAILS",
    ]


def test_run_non_utf8_test_file(tested):
    (tested.cwd / "tests" / "my.agent.test.nut").write_bytes(b"class X {}\n\xff\xfe\n")
    result = tested("test", "run")
    assert result.code == 1 and result.lines[-2] == (
        "Error: File error: tests/my.agent.test.nut: "
        "'utf-8' codec can't decode byte 0xff in position 11: invalid start byte."
    )
    (tested.cwd / "tests" / "my.agent.test.nut").write_text(PASSING)
    (tested.cwd / "device.nut").write_bytes(b"\xff")
    tested.ok("test", "update", "-x", "device.nut")
    assert tested("test", "run").lines[-2].startswith("Error: File error: device.nut: 'utf-8' codec")


def test_delete_corrupted_configuration(tested):
    (tested.cwd / "gh.json").write_text('{"githubUser": "u", "githubToken": "t"}')
    for text in ("{broken", '{"deviceGroupId": 5, "githubConfig": "gh.json"}'):
        (tested.cwd / ".impt.test").write_text(text)
        deleted = tested.ok("test", "delete", "-a", "-q")
        assert deleted.lines[0].startswith("Test Configuration File is corrupted: the Device Group and configuration")
        assert deleted.lines[-2] == "Test Configuration is deleted successfully."
        assert not (tested.cwd / ".impt.test").exists() and (tested.cwd / "gh.json").exists()
    assert tested.ok("dg", "info", "-g", "DG1").code == 0


def test_github_config_error_names_the_given_path(impt):
    (impt.cwd / "adir").mkdir()
    result = impt("test", "github", "-i", "adir", "-u", "a", "-w", "b", "-q")
    assert result.code == 1 and result.lines[0] == f"Error: File error: {impt.cwd / 'adir'}: Is a directory."
    assert list((impt.cwd / "adir").iterdir()) == []
    assert [path.name for path in impt.cwd.iterdir() if path.name.startswith(".adir")] == []  # no temp file left


def test_github_config_never_creates_directories(impt):
    result = impt("test", "github", "-i", "nodir/sub/gh.json", "-u", "a", "-w", "b", "-q")
    assert result.code == 1 and result.lines[0] == (
        f"Error: File error: {impt.cwd / 'nodir' / 'sub' / 'gh.json'}: No such file or directory."
    )
    assert not (impt.cwd / "nodir").exists()
