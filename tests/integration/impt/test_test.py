"""impt test commands against the emulator, `test run` end to end with devices and agents running Squirrel."""

import json
import os
import re
import shlex
import textwrap
from pathlib import Path

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
        "test": "Broken::testAssert()",  # impUnit runs methods in name order
        "file": "tests/z.agent.test.nut",
        "error": "Failed to assert that condition is true",
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


SUITE = """class AssertionsCase extends ImpTestCase {
  function setUp() { info("setUp"); }
  function testAllPass() {
    assertTrue(true);
    assertEqual(1, 1);
    assertGreater(2, 1);
    assertLess(1, 2);
    assertClose(1.0, 1.05, 0.1);
    assertDeepEqual({"a": [1, 2, {"b": "c"}]}, {"a": [1, 2, {"b": "c"}]});
    assertBetween(5, 10, 1);
    assertThrowsError(function() { throw "x"; }, this);
    return "all";
  }
  function testTrueFails() { assertTrue(false); }
  function testEqualFails() { assertEqual(1, 2); }
  function testGreaterFails() { assertGreater(1, 2); }
  function testLessFails() { assertLess(2, 1); }
  function testCloseFails() { assertClose(1, 2, 0.5); }
  function testDeepEqualFails() { assertDeepEqual({"a": {"b": 1}}, {"a": {"b": 2}}); }
  function testBetweenFails() { assertBetween(11, 1, 10); }
  function testThrowsFails() { assertThrowsError(function() {}, this); }
  function testInfoTable() { info({"k": [1, 2]}); }
  function testPromise() {
    return Promise(function(resolve, reject) {
      imp.wakeup(0.5, function() { resolve("later"); });
    });
  }
  function testTimeout() { return Promise(function(resolve, reject) {}); }
  function testRunCommand() { runCommand("echo hi"); }
  function tearDown() { info("tearDown"); }
}
"""
SUITE_STEPS = [
    "AssertionsCase::setUp()",
    '"setUp"',
    "Success",
    "AssertionsCase::testAllPass()",
    'Success: "all"',
    "AssertionsCase::testBetweenFails()",
    "Failure: Expected value the range of 1..10, got 11",
    "AssertionsCase::testCloseFails()",
    "Failure: Expected value: 1\u00b10.5, got: 2",
    "AssertionsCase::testDeepEqualFails()",
    "Failure: Comparison failed on 'a.b': expected 1, got 2",
    "AssertionsCase::testEqualFails()",
    "Failure: Expected value: 1, got: 2",
    "AssertionsCase::testGreaterFails()",
    "Failure: Failed to assert that 1 > 2",
    "AssertionsCase::testInfoTable()",
    '{"k":[1,2]}',
    "Success",
    "AssertionsCase::testLessFails()",
    "Failure: Failed to assert that 2 < 1",
    "AssertionsCase::testPromise()",
    'Success: "later"',
    "AssertionsCase::testRunCommand()",
    "Running external command: echo hi",
    "> hi",
    "Success",
    "AssertionsCase::testThrowsFails()",
    "Failure: Function was expected to throw an error",
    "AssertionsCase::testTimeout()",
    "Failure: Test timed out after 3s",
    "AssertionsCase::testTrueFails()",
    "Failure: Failed to assert that condition is true",
    "AssertionsCase::tearDown()",
    '"tearDown"',
    "Success",
    "Tests: 13, Assertions: 16, Failures: 9",
]
_STEP = re.compile(r"^\[(?:\+[\d.]+/[\d.]+s )?(test|info)\] (.*)$")


def steps(result) -> list[str]:
    """The session's `[test]` lines and the external command's `[info]` lines, without timings."""
    found = []
    for line in result.lines:
        match = _STEP.match(line)
        if match and (match.group(1) == "test" or match.group(2).startswith(("Running external", "> "))):
            found.append(match.group(2))
    return [step for step in found if not step.startswith(("Starting test session", "Session "))]


@pytest.fixture
def suite(impt, product):
    (impt.cwd / "tests").mkdir()
    (impt.cwd / "tests" / "suite.device.test.nut").write_text(SUITE)
    impt.ok("test", "create", "-g", "DG1", "-t", "3", "-q")
    return impt


def test_run_every_assertion_promise_timeout_info_and_command(suite):
    result = suite("test", "run")
    assert result.code == 1 and result.lines[-2:] == ["Error: Testing failed", "IMPT COMMAND FAILS"]
    assert steps(result) == SUITE_STEPS
    summary = result.out.split("-------------TEST SUMMARY-------------", 1)[1]
    assert "1) AssertionsCase::testBetweenFails()" in summary and "Tests: 13, Assertions: 16, Failures: 9" in summary
    as_json = suite("test", "run", "-z", "json")
    assert as_json.code == 1 and as_json.json["Error"] == "Testing failed"
    report = as_json.json["Test Summary"]
    assert (report["Tests"], report["Assertions"], report["Result"]) == (13, 16, "failed")
    failures = [step[len("Failure: ") :] for step in SUITE_STEPS if step.startswith("Failure: ")]
    assert [f["error"] for f in report["Failures"]] == failures
    assert {f["file"] for f in report["Failures"]} == {"tests/suite.device.test.nut"}


def test_run_selects_class_and_method(suite):
    result = suite("test", "run", "--tests", "suite:AssertionsCase::testEqualFails")
    assert result.code == 1 and steps(result) == [
        "AssertionsCase::setUp()",
        '"setUp"',
        "Success",
        "AssertionsCase::testEqualFails()",
        "Failure: Expected value: 1, got: 2",
        "AssertionsCase::tearDown()",
        '"tearDown"',
        "Success",
        "Tests: 1, Assertions: 1, Failures: 1",
    ]
    passing = suite.ok("test", "run", "--tests", "suite:AssertionsCase::testAllPass", "-z", "json")
    assert passing.json["Test Summary"] == {"Tests": 1, "Assertions": 8, "Failures": [], "Result": "succeeded"}


def test_run_agent_test_with_partner_device_file(impt, product):
    (impt.cwd / "tests").mkdir()
    (impt.cwd / "tests" / "ping.agent.test.nut").write_text(
        "class PingCase extends ImpTestCase {\n"
        "  function testPing() {\n"
        '    return Promise(function(resolve, reject) { device.on("ping", function(v) { resolve(v); }); });\n'
        "  }\n"
        "}\n"
    )
    (impt.cwd / "tests" / "ping.device.nut").write_text('imp.wakeup(3, function() { agent.send("ping", "pong"); });\n')
    impt.ok("test", "create", "-g", "DG1", "-t", "10", "-q")
    result = impt.ok("test", "run")
    assert "\ttests/ping.agent.test.nut (tests/ping.device.nut)" in result.lines
    assert steps(result) == ["PingCase::testPing()", 'Success: "pong"', "Tests: 1, Assertions: 0, Failures: 0"]
    assert result.lines[-2:] == [
        "[" + result.lines[-2].split("[", 1)[1].split("]")[0] + "] Testing succeeded",
        "IMPT COMMAND SUCCEEDS",
    ]


# Builder 4.2.1 has no default macro arguments (differential corpus "error macro with a default argument")
BUILT_SOURCE = """@set LIMIT = 3
@macro clamp(name, low)
function @{name}(x) { return x < @{low} ? @{low} : (x > LIMIT ? LIMIT : x); }
@end
@if LIMIT > 2
const LIMIT = @{LIMIT};
@else
const LIMIT = 0;
@endif
@{clamp("clampLimit", 0)}
const WHERE = @{__LINE__};
"""


def test_run_builds_sources_as_builder_would(impt, product):
    (impt.cwd / "lib.device.nut").write_text(BUILT_SOURCE)
    (impt.cwd / "tests").mkdir()
    (impt.cwd / "tests" / "lib.test.nut").write_text(
        "class LibCase extends ImpTestCase {\n"
        "  function testBuilt() { assertEqual(3, LIMIT); assertEqual(3, clampLimit(7)); assertEqual(11, WHERE); }\n"
        "}\n"
    )
    (impt.cwd / "tests" / "empty.test.nut").write_text("// no test class here\n")
    impt.ok("test", "create", "-g", "DG1", "-x", "lib.device.nut", "-q")
    result = impt.ok("test", "run")
    assert 'Skip "tests/empty.test.nut" testing' in result.out
    assert "Tests: 1, Assertions: 3, Failures: 0" in result.out
    build_id = next(line.split('"')[1] for line in result.lines if line.startswith('Deployment "'))
    code = impt.ok("build", "info", "-b", build_id, "-z", "json").json["Deployment"]["device_code"]
    plain = [line for line in code.splitlines() if not line.startswith("#line ")]
    start = plain.index("const LIMIT = 3;")
    assert plain[start : start + 3] == [
        "const LIMIT = 3;",
        "function clampLimit(x) { return x < 0 ? 0 : (x > LIMIT ? LIMIT : x); }",
        "const WHERE = 11;",
    ]
    assert '#line 6 "lib.device.nut"' in code and "class ImpUnitRunner" in code


def test_run_maps_compile_errors_to_the_users_file(impt, product):
    (impt.cwd / "tests").mkdir()
    (impt.cwd / "tests" / "bad.test.nut").write_text(
        "class BadCase extends ImpTestCase {\n  function testX() {\n    local x = ;\n  }\n}\n"
    )
    impt.ok("test", "create", "-g", "DG1", "-q")
    result = impt("test", "run")
    assert result.code == 1 and result.lines[-2:] == ["Error: Testing failed", "IMPT COMMAND FAILS"]
    assert any(
        line.endswith("error] tests/bad.test.nut error (line 3, column 15): expression expected")
        for line in result.lines
    )


def test_run_runtime_errors_are_shown_and_do_not_hang(impt, product):
    (impt.cwd / "tests").mkdir()
    (impt.cwd / "tests" / "crash.test.nut").write_text(
        "class CrashCase extends ImpTestCase {\n"
        "  function testLater() {\n"
        "    imp.wakeup(0.1, function() { local t = null; t.boom(); });\n"
        "    return Promise(function(resolve, reject) {});\n"
        "  }\n"
        "}\n"
    )
    (impt.cwd / "tests" / "crash.agent.test.nut").write_text(
        "class AgentCrashCase extends ImpTestCase {\n"
        "  function testLater() {\n"
        "    imp.wakeup(0.1, function() { local t = null; t.boom(); });\n"
        '    return Promise(function(resolve, reject) { imp.wakeup(0.5, function() { resolve("alive"); }); });\n'
        "  }\n"
        "}\n"
    )
    impt.ok("test", "create", "-g", "DG1", "-t", "5", "-q")
    result = impt("test", "run")
    assert result.code == 1
    assert any("Device Runtime Error: ERROR:" in line for line in result.lines)
    assert any("Agent Runtime Error: ERROR:" in line for line in result.lines)
    assert any(line.endswith("(tests/crash.test.nut:3)") for line in result.lines), result.out
    assert 'Success: "alive"' in result.out and re.search(r"error\] Device (disconnected|restarted)", result.out)


def rst_block(text: str) -> str:
    """The indented body of an RST literal block that starts `text` (after the directive's blank line)."""
    body = re.match(r"\n*((?:   [^\n]*\n|\n)*)", text).group(1)
    return textwrap.dedent(body).strip("\n") + "\n"


def test_docs_example_runs_as_written(impt, emulator):
    doc = (Path(__file__).parents[3] / "docs" / "docsite" / "rst" / "testing-with-impt.rst").read_text()
    example = re.split(r"\n[^\n]+\n-+\n", doc.split("A complete example\n------------------\n", 1)[1])[0]
    files = [
        (name, rst_block(rest))
        for name, rest in re.findall(
            r"^``([\w./-]+\.nut)``[^\n]*:\n\n\.\. code:: text\n(.*?)(?=^\S)", example, re.S | re.M
        )
    ]
    assert [name for name, _ in files] == [
        "device.nut",
        "agent.nut",
        "tests/temperature.device.test.nut",
        "tests/convert.agent.test.nut",
    ]
    for name, body in files:
        (impt.cwd / name).parent.mkdir(parents=True, exist_ok=True)
        (impt.cwd / name).write_text(body)
    commands = rst_block(example.split(".. code:: sh\n", 1)[1]).strip().splitlines()
    result = None
    for command in commands:
        argv = shlex.split(command.replace("http://127.0.0.1:8765/v5", emulator.base_url))
        assert argv[0] == "impt"
        result = impt.ok(*argv[1:])
    expected = rst_block(example.split("ends with (timings left out):\n\n.. code:: text\n", 1)[1]).splitlines()
    shown = [re.sub(r"^\[\+[\d.]+/[\d.]+s ", "[", line) for line in result.lines]
    assert shown[-len(expected) :] == expected
    assert 'Success: {"celsius":21.5,"fahrenheit":70.7}' in result.out
