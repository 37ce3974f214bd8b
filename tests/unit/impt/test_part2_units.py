"""Part 2 pure logic: --tests patterns, test file discovery, impUnit messages, sessions, files, code."""

import json
import os
import re

import pytest

from impt import test_codegen as codegen
from impt import test_selection as selection
from impt import test_session
from impt.commands import test as test_commands
from impt.config_files import ordered_test_config, read_github_credentials, read_test_config, write_config
from impt.errors import ImptError, UsageError
from impt.impunit_protocol import for_session, parse_message, storage_usage
from impt.parser import parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, selection.TestPattern()),
        ("", selection.TestPattern()),
        ("file", selection.TestPattern("file")),
        ("file:Case", selection.TestPattern("file", "Case")),
        ("file:Case::testX", selection.TestPattern("file", "Case", "testX")),
        (":Case", selection.TestPattern("", "Case")),
        ("::testX", selection.TestPattern("", "", "testX")),
        ("tests/.*agent:Case", selection.TestPattern("tests/.*agent", "Case")),
    ],
)
def test_tests_pattern(text, expected):
    assert selection.parse_tests_pattern(text) == expected


def test_tests_pattern_bad_regex():
    with pytest.raises(UsageError, match="invalid test file pattern"):
        selection.parse_tests_pattern("([:Case")


def test_find_test_files_with_partner_and_kind(tmp_path):
    (tmp_path / "tests" / "deep").mkdir(parents=True)
    for name in ("a.test.nut", "tests/x.agent.test.nut", "tests/x.device.nut", "tests/deep/y.test.nut", "z.nut"):
        (tmp_path / name).write_text("")
    files = selection.find_test_files(tmp_path, ["*.test.nut", "tests/**/*.test.nut"], selection.TestPattern())
    assert [(f.path, f.kind, f.partner) for f in files] == [
        ("a.test.nut", "device", None),
        ("tests/deep/y.test.nut", "device", None),
        ("tests/x.agent.test.nut", "agent", "tests/x.device.nut"),
    ]
    only = selection.find_test_files(
        tmp_path, ["*.test.nut", "tests/**/*.test.nut"], selection.parse_tests_pattern("deep")
    )
    assert [f.path for f in only] == ["tests/deep/y.test.nut"]
    assert selection.test_kind("my-agent.test.nut") == "agent" and selection.test_kind("magenta.test.nut") == "device"


def test_selects_class_and_method():
    code = "class A extends ImpTestCase { function testOne() {} }"
    assert selection.selects(code, selection.TestPattern("", "A", "testOne"))
    assert not selection.selects(code, selection.TestPattern("", "B"))
    assert not selection.selects(code, selection.TestPattern("", "", "testTwo"))


def _msg(kind, message, session="s-1"):
    return json.dumps({"__IMPUNIT__": 1, "type": kind, "session": session, "message": message})


def test_protocol_parser():
    assert parse_message("plain text") is None
    assert parse_message('{"__IMPUNIT__": 1') is None
    parsed = parse_message(_msg("TEST_OK", None))
    assert parsed.type == "TEST_OK" and parsed.session == "s-1" and parsed.message is None
    assert for_session(_msg("TEST_OK", None), "agent.log", "agent", "s-1") is not None
    assert for_session(_msg("TEST_OK", None), "server.log", "agent", "s-1") is None
    assert for_session(_msg("TEST_OK", None, "other"), "agent.log", "agent", "s-1") is None
    assert storage_usage("Downloading new code; 3.41% program storage used") == ("3.41", False)
    assert storage_usage("Out of space; 101.00% program storage used") == ("101.00", True)


def _session(**kw):
    lines = []
    session = test_session.Session(
        "s-1", "agent", "t.agent.test.nut", kw.get("allow", False), lambda k, t: lines.append((k, t))
    )
    return session, lines


def test_session_happy_path():
    session, lines = _session()
    session.handle_line("status", "Agent restarted: reload.")
    for kind, message in [
        ("SESSION_START", ""),
        ("TEST_START", "A::testX()"),
        ("INFO", {"message": "hi"}),
        ("TEST_OK", 5),
        ("SESSION_RESULT", {"tests": 1, "assertions": 2, "failures": 0}),
    ]:
        assert session.handle_line("agent.log", _msg(kind, message))
    assert session.state == test_session.DONE and not session.failed
    assert ("test", '"hi"') in lines and ("test", "Success: 5") in lines
    assert lines[-1] == ("test", "Tests: 1, Assertions: 2, Failures: 0")


def test_session_failures_and_states():
    session, lines = _session()
    session.handle_line("agent.log", _msg("SESSION_START", ""))  # boot seen only in part: still our code
    session.handle_line("agent.log", _msg("TEST_FAIL", "first run"))
    session.handle_line("agent.log", _msg("SESSION_START", ""))  # the device restarted: the new run counts
    assert session.state == test_session.STARTED and not session.failed and not session.failures
    session, lines = _session()
    session.handle_line("status", "Agent restarted: reload.")
    session.handle_line("agent.log", _msg("SESSION_START", ""))
    session.handle_line("agent.log", _msg("TEST_START", "A::testY()"))
    session.handle_line("agent.log", _msg("TEST_FAIL", "boom"))
    session.handle_line("server.error", "oops")
    assert session.failures[0].test == "A::testY()" and session.failures[0].error == "boom"
    assert ("error", "Device Runtime Error: oops") in lines and not session.done
    session.handle_line("status", "Device disconnected")
    assert session.done and session.error == "Device disconnected"


def test_session_allow_disconnect_and_unknown_type():
    session, lines = _session(allow=True)
    session.handle_line("status", "Device disconnected")
    session.handle_line("status", "Agent restarted: reload.")
    session.handle_line("agent.log", _msg("SESSION_START", ""))
    session.handle_line("agent.log", _msg("WEIRD", [1]))
    assert ("info", "Disconnected. Allowed by config.") in lines and ("test", "Message of type WEIRD: [1]") in lines
    assert not session.failed


def test_config_files_format_and_validation(tmp_path):
    config = ordered_test_config(
        {"testFiles": ["a"], "deviceGroupId": "g", "timeout": 30, "agentFile": "", "stopOnFail": False}
    )
    assert list(config) == ["deviceGroupId", "timeout", "stopOnFail", "testFiles"]
    write_config(tmp_path / ".impt.test", config)
    text = (tmp_path / ".impt.test").read_text()
    assert text == json.dumps(config, indent=2) and not text.endswith("\n")
    assert read_test_config(tmp_path)["testFiles"] == ["a"]
    (tmp_path / ".impt.test").write_text('{"deviceGroupId": "g", "timeout": "x"}')
    with pytest.raises(ImptError, match="Test Configuration File is corrupted."):
        read_test_config(tmp_path)
    (tmp_path / ".impt.test").write_text("{")
    with pytest.raises(ImptError, match="Test Configuration File is corrupted."):
        read_test_config(tmp_path)
    write_config(tmp_path / "gh.json", {"githubUser": "u", "githubToken": "t"}, mode=0o600)
    assert os.stat(tmp_path / "gh.json").st_mode & 0o777 == 0o600
    assert read_github_credentials(tmp_path / "gh.json")["githubUser"] == "u"
    (tmp_path / "gh.json").write_text('{"githubUser": "u"}')
    with pytest.raises(ImptError, match="GitHub credentials Configuration File is corrupted."):
        read_github_credentials(tmp_path / "gh.json")


def test_generated_code_has_what_the_protocol_needs():
    test_code = 'class Alpha extends ImpTestCase { function testA() { info("x"); } }\nclass Beta extends ImpTestCase {}'
    settings = codegen.SessionSettings("toward-pound", 17, True, "Alpha", "testA")
    agent = codegen.test_side(None, "agent", test_code, settings)
    assert "class ImpTestCase" in agent and "/* no agent source */" in agent
    assert 'runner.session = "toward-pound";' in agent and "runner.timeout = 17;" in agent
    assert 'runner.testClass = "Alpha";' in agent and "runner.stopOnFailure = true;" in agent
    assert '[["Alpha", Alpha], ["Beta", Beta]]' in agent
    assert not re.search(r'server\.log\("', codegen.runner_source())  # no literal the emulator would echo
    device = codegen.other_side(None, "device", "partner();")
    assert "partner();" in device and "// force code update" in device
    assert codegen.other_side(None, "device", None) != codegen.other_side(None, "device", None)
    assert re.fullmatch(r"[a-z]+-[a-z]+", codegen.new_session_id())


def test_optional_value_options():
    update = next(c for c in test_commands.COMMANDS if c.name == "update")
    args = parse(update, ["--device-file", "--timeout", "5", "-y", "a.nut", "-i"])
    assert args.device_file == "" and args.agent_file == "a.nut" and args.github_config == "" and args.timeout == 5
    assert parse(update, []).device_file is None and parse(update, []).stop_on_fail is None
    assert update.usage_line().startswith(
        "Usage: impt test update [--dg <DEVICE_GROUP_IDENTIFIER>] [--device-file [<device_file>]]"
    )
