"""`impt test run` against the emulator, checked against impt 2.6.1's contracts.

Sources of the expected values: the measured facts of issue 23 (impt 2.6.1's TestSession.js and
TestHelper.js side by side with ours), impt-behaviour.md §9 (flow, messages) and its sample run in §10.
The startup timeout is shortened, as impt's 60 s would be on a scaled clock.
"""

from __future__ import annotations

import re

from impt.commands.test import runner as test_run

PASSING = """class GlobalCase extends ImpTestCase {
  function testGlobal() { this.assertEqual(3, GLOBAL); }
}
class OnlySetUp extends ImpTestCase {
  function setUp() { info("setUp ran"); }
  function tearDown() { info("tearDown ran"); }
}
"""
NOT_COMPILING = "class BadCase extends ImpTestCase {\n  function testX() {\n    local x = ;\n  }\n}\n"
FAILING = "class FailCase extends ImpTestCase {\n  function testA() { this.assertTrue(false); }\n}\n"


def _run(impt, files: dict[str, str], *create: str) -> tuple[object, list[str]]:
    """Write the files, `test create` with these options, `test run`: the result and its untimed lines."""
    for name, text in files.items():
        (impt.cwd / name).parent.mkdir(parents=True, exist_ok=True)
        (impt.cwd / name).write_text(text)
    impt.ok("test", "create", "-g", "DG1", "-t", "5", "-q", *create)
    result = impt("test", "run")
    return result, _texts(result)


def _texts(result) -> list[str]:
    """The lines without impt's `+<since start>/<since previous>s ` timing."""
    return [re.sub(r"^\[\+[\d.]+/[\d.]+s ", "[", line) for line in result.lines]


def test_files_that_do_not_build_or_compile_are_reported_and_the_run_goes_on(impt, product):
    """Issue 23: 2.6.1 reports a file that does not compile and goes on with the next one, then prints the
    summary and `Testing failed`; `@include "tests/global.nut";` (a trailing `;`) is valid Builder input."""
    tests = impt.cwd / "tests"
    tests.mkdir()
    (tests / "global.nut").write_text("const GLOBAL = 3;\n")
    (tests / "a_include.agent.test.nut").write_text('@include "tests/global.nut";\n' + PASSING)
    (tests / "b_broken.agent.test.nut").write_text(NOT_COMPILING)
    (tests / "c_builder.agent.test.nut").write_text('@include "tests/missing.nut";\n' + PASSING)
    (tests / "d_fails.agent.test.nut").write_text(FAILING)
    impt.ok("test", "create", "-g", "DG1", "-t", "5", "-q")
    result = impt("test", "run")
    texts = _texts(result)
    assert result.code == 1 and texts[-2:] == ["Error: Testing failed", "IMPT COMMAND FAILS"], result.out
    assert texts.count("[test] GlobalCase::testGlobal()") == 1
    assert ["[test] OnlySetUp::setUp()", '[test] "setUp ran"'] == texts[texts.index("[test] OnlySetUp::setUp()") :][:2]
    assert '[test] "tearDown ran"' in texts  # impUnit runs setUp/tearDown of a class without tests (issue 23)
    assert "[error] tests/b_broken.agent.test.nut error (line 3, column 15): expression expected" in texts
    assert '[error] Builder: tests/c_builder.agent.test.nut:1: @include: Local file "tests/missing.nut" not found' in (
        texts
    )
    assert "[test] FailCase::testA()" in texts  # the file after the broken ones ran
    summary = texts[texts.index("[info] -------------TEST SUMMARY-------------") :]
    # impt-behaviour §9's entries, each followed by a blank line; `Failures:` sums the sessions' own
    # counts, so the two files that never ran add none (issue 23)
    assert summary[2:14] == [
        "[info] 1) Session",
        "[info] at tests/b_broken.agent.test.nut",
        "[info] Error: Compilation Error: The code failed to compile.",
        "",
        "[info] 2) Session",
        "[info] at tests/c_builder.agent.test.nut",
        '[info] Error: Builder: tests/c_builder.agent.test.nut:1: @include: Local file "tests/missing.nut" not found',
        "",
        "[info] 3) FailCase::testA()",
        "[info] at tests/d_fails.agent.test.nut",
        "[info] Error: Failed to assert that condition is true",
        "",
    ]
    assert summary[14:] == [
        "[info] Tests: 2, Assertions: 2, Failures: 1",
        "[info] --------------------------------------",
        "",
        "[info] Testing failed",
        "Error: Testing failed",
        "IMPT COMMAND FAILS",
    ]


def test_device_errors_before_the_start_wait_for_the_startup_timeout(impt, product, monkeypatch):
    """Issue 23: 2.6.1 prints runtime errors before SESSION_START as warnings and waits for the startup
    timeout, then `[error] Session startup timeout` (no `Error:`), the summary and `[info] Testing failed`."""
    monkeypatch.setattr(test_run, "START_TIMEOUT", 2.0)
    files = {"agent.nut": 'throw "early failure";\n', "tests/early.agent.test.nut": FAILING}
    result, texts = _run(impt, files, "-y", "agent.nut")
    warnings = [line for line in texts if line.startswith("[warning] Agent Runtime Error: ")]
    assert warnings and "early failure" in warnings[0], result.out
    assert "[error] Session startup timeout" in texts
    assert texts.index(warnings[0]) < texts.index("[error] Session startup timeout")
    assert "[test] FailCase::testA()" not in texts
    assert texts[-3:] == ["[info] Testing failed", "Error: Testing failed", "IMPT COMMAND FAILS"]


def test_output_lines_match_2_6_1(impt, product):
    """impt-behaviour §10's sample: code space with one decimal; §9 and issue 23: `[info] Testing failed`,
    failures as `N) Class::method()` / `at <file>` / `Error: <text>` and a blank line."""
    files = {"device.nut": 'server.log("device up");\n', "tests/fails.agent.test.nut": FAILING}
    _, texts = _run(impt, files, "-x", "device.nut")
    usage = [line for line in texts if line.startswith("[info] Device code space usage: ")]
    assert usage and all(re.fullmatch(r"\[info\] Device code space usage: \d+\.\d%", line) for line in usage)
    start = texts.index("[info] 1) FailCase::testA()")
    assert texts[start : start + 4] == [
        "[info] 1) FailCase::testA()",
        "[info] at tests/fails.agent.test.nut",
        "[info] Error: Failed to assert that condition is true",
        "",
    ]
    assert texts[start + 4 :] == [
        "[info] Tests: 1, Assertions: 1, Failures: 1",
        "[info] --------------------------------------",
        "",
        "[info] Testing failed",
        "Error: Testing failed",
        "IMPT COMMAND FAILS",
    ]
