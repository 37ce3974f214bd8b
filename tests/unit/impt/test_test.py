"""`impt test`'s own logic: --tests patterns, test file discovery, impUnit messages, sessions, config files,
generated code and option parsing."""

import json
import os
import re

import pytest
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import ImpCentralError

from impt.builder import Builder
from impt.commands import test as test_commands
from impt.commands.test import codegen, selection
from impt.commands.test import runner as test_run
from impt.commands.test import session as test_session
from impt.commands.test.impunit_protocol import for_session, parse_message, storage_usage
from impt.config_files import ordered_test_config, read_github_credentials, read_test_config, write_config
from impt.errors import ImptError, UsageError
from impt.impunit import framework_source
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
    # impt 2.6.1 (issue 23's measured facts): device errors of a started session are `[test]` lines
    assert ("test", "Device Runtime Error: oops") in lines and not session.done
    session.handle_line("status", "Device disconnected")
    assert session.done and session.error == "Device disconnected"
    assert lines[-1] == ("error", "Device disconnected")  # `[error] <text>`, no "Error:" (issue 23)


def test_device_errors_before_the_start_are_warnings_and_the_session_waits():
    """impt 2.6.1's TestSession (issue 23): runtime errors and disconnects before SESSION_START print as
    warnings; the session goes on waiting for its start (the startup timeout decides)."""
    session, lines = _session()
    for log_type, msg in (
        ("agent.error", "ERROR: boot failed"),
        ("server.error", "ERROR: no device code"),
        ("status", "Device disconnected"),
        ("lastexitcode", "out of memory"),
        ("status", "Out of space: 100.00% program storage used"),
    ):
        session.handle_line(log_type, msg)
    assert not session.done and not session.failed and session.state == test_session.INITIALIZED
    assert lines == [
        ("warning", "Agent Runtime Error: ERROR: boot failed"),
        ("warning", "Device Runtime Error: ERROR: no device code"),
        ("warning", "Device disconnected"),
        ("warning", "Device is out of memory"),
        ("info", "Device code space usage: 100.0%"),
        ("warning", "Device is out of code space"),
    ]
    session.fail("Session startup timeout")
    assert lines[-1] == ("error", "Session startup timeout") and session.failed


def test_code_space_has_one_decimal():
    """impt-behaviour §10's sample run and issue 23: `Device code space usage: 3.4%` from `3.41%`."""
    session, lines = _session()
    session.handle_line("status", "3.41% program storage used")
    session.handle_line("status", "1.6% program storage used")
    session.handle_line("status", "12% program storage used")
    assert [text for kind, text in lines if kind == "info"] == [
        "Device code space usage: 3.4%",
        "Device code space usage: 1.6%",
        "Device code space usage: 12.0%",
    ]


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


def _generate(tmp_path, kind="agent", partner=None, sources=None):
    builder = Builder({"limit": 3}, tmp_path)
    settings = codegen.SessionSettings("toward-pound", 17, True, "Alpha", "testA")
    sources = sources or {"agent": None, "device": None}
    return codegen.generate(builder, kind, sources, "tests/x.agent.test.nut", partner=partner, settings=settings)


def test_generated_code_is_impt_26s(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "x.agent.test.nut").write_text(
        '@set greeting = "hi"\nclass Alpha extends ImpTestCase {\n  function testA() { info("@{greeting}"); }\n}\n'
    )
    (tmp_path / "tests" / "x.device.nut").write_text("partner();\n")
    (tmp_path / "src.nut").write_text("const LIMIT = @{limit};\n")
    built = _generate(tmp_path, partner="tests/x.device.nut", sources={"agent": "src.nut", "device": None})
    agent, device = built.test_side, built.other_side
    assert agent.startswith(framework_source()) and "const LIMIT = 3;" in agent and 'info("hi")' in agent
    assert "function __module_tests(ImpTestCase) {" in agent and "__module_tests_bootstrap(ImpUnitRunner);" in agent
    assert 't.session = "toward-pound";' in agent and "t.timeout = 17;" in agent and "t.stopOnFailure = true;" in agent
    assert 't.testClass = "Alpha";' in agent and 't.testCase = "testA";' in agent
    assert "partner();" in device and "/* no device source */" in device and "// force code update" in device
    assert re.search(r'__imptRevision <- "[0-9a-f]{32}";', device)
    assert _generate(tmp_path).other_side != _generate(tmp_path).other_side
    assert codegen.test_classes(built.tests) == ["Alpha"]
    row = agent.split("\n").index('  function testA() { info("hi"); }') + 1
    assert codegen.where(agent, row) == ("tests/x.agent.test.nut", 3)
    assert codegen.where(agent, 1) is None  # the framework is impt's, not the user's
    assert re.fullmatch(r"[a-z]+-[a-z]+", codegen.new_session_id())


def test_compile_error_rows_map_to_the_users_file(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "x.agent.test.nut").write_text("class Alpha extends ImpTestCase {\n  function testA() {\n")
    built = _generate(tmp_path)
    row = built.test_side.split("\n").index("  function testA() {") + 1
    meta = [
        {"file": "agent_code", "row": row, "column": 3, "text": "expression expected", "type": "syntax"},
        {"file": "agent_code", "row": 2, "column": 1, "text": "x", "type": "syntax"},
    ]
    error = ImpCentralError("POST", "u", 400, [{"code": "CX005", "meta": meta}])
    code = {"agent": built.test_side, "device": built.other_side}
    assert test_run.compile_errors(error, code) == [
        "tests/x.agent.test.nut syntax (line 2, column 3): expression expected",
        "agent_code syntax (line 2, column 1): x",
    ]


def test_runtime_error_frames_are_mapped_and_a_crash_loop_ends(tmp_path):
    (tmp_path / "tests").mkdir()
    test_code = "class Alpha extends ImpTestCase {\n  function testA() { x(); }\n}\n"
    (tmp_path / "tests" / "x.agent.test.nut").write_text(test_code)
    built = _generate(tmp_path)
    row = built.test_side.split("\n").index("  function testA() { x(); }") + 1
    session, lines = _session()
    session.code = {"agent": built.test_side, "device": built.other_side}
    session.handle_line("status", "Agent restarted: reload.")
    session.handle_line("agent.log", _msg("SESSION_START", ""))
    session.handle_line("agent.error", f"ERROR:   at testA:{row}")
    assert ("test", f"Agent Runtime Error: ERROR:   at testA:{row} (tests/x.agent.test.nut:2)") in lines
    session.handle_line("agent.log", _msg("SESSION_START", ""))
    assert session.done and session.error == "Device restarted"


def test_optional_value_options():
    update = next(c for c in test_commands.COMMANDS if c.name == "update")
    args = parse(update, ["--device-file", "--timeout", "5", "-y", "a.nut", "-i"])
    assert args.device_file == "" and args.agent_file == "a.nut" and args.github_config == "" and args.timeout == 5
    assert parse(update, []).device_file is None and parse(update, []).stop_on_fail is None
    assert update.usage_line().startswith(
        "Usage: impt test update [--dg <DEVICE_GROUP_IDENTIFIER>] [--device-file [<device_file>]]"
    )


def test_absolute_and_outside_test_file_globs(tmp_path):
    cwd, other = tmp_path / "cwd", tmp_path / "other"
    (cwd / "tests").mkdir(parents=True)
    other.mkdir()
    (cwd / "tests" / "a.test.nut").write_text("")
    (other / "b.agent.test.nut").write_text("")
    (other / "b.device.nut").write_text("")
    globs = [f"{cwd}/tests/*.test.nut", f"{other}/*.test.nut", "tests/*.nut"]
    found = selection.find_test_files(cwd, globs, selection.TestPattern())
    assert [(f.path, f.kind, f.partner) for f in found] == [
        ("tests/a.test.nut", "device", None),
        (f"{other}/b.agent.test.nut", "agent", f"{other}/b.device.nut"),
    ]
    with pytest.raises(UsageError, match='Test file pattern "x\\*\\*y" is invalid'):
        selection.find_test_files(cwd, ["x**y"], selection.TestPattern())


class _Ctx:
    """What `runner._builder` reads from a Context."""

    def __init__(self, cwd, env):
        self.cwd, self.env = cwd, env

    def path(self, name):
        return self.cwd / name


def test_builder_gets_variables_credentials_and_cache(tmp_path):
    report = test_run.Reporter.__new__(test_run.Reporter)
    env = {"GITHUB_USER": "env-user", "GITHUB_TOKEN": "env-token", "FROM_ENV": "e"}
    (tmp_path / "vars.json").write_text('{"limit": 4}')
    write_config(tmp_path / "gh.json", {"githubUser": "file-user", "githubToken": "file-token"}, mode=0o600)
    config = {"builderConfig": "vars.json", "githubConfig": "gh.json", "builderCache": True}
    builder = test_run._builder(_Ctx(tmp_path, env), report, config)
    assert builder.reader.github == ("file-user", "file-token") and builder.reader.cache is not None
    assert builder.text("@{limit} @{FROM_ENV}", "x") == "4 e"
    builder = test_run._builder(_Ctx(tmp_path, env), report, {"githubConfig": "missing.json"})
    assert builder.reader.github == ("env-user", "env-token") and builder.reader.cache is None
    assert test_run._builder(_Ctx(tmp_path, {}), report, {}).reader.github is None
