"""The impUnit-compatible framework run in a real Squirrel VM, assertion by assertion (spec/impunit.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fake_imp import FakeImp  # noqa: E402

from impt import impunit  # noqa: E402

SESSION = "toward-pound"


def run_suite(tests: str, timeout: int = 2, **selection) -> FakeImp:
    imp = FakeImp()
    imp.execute(impunit.test_side(None, "device", tests, SESSION, timeout, **selection))
    imp.run_timers()
    return imp


def steps(imp: FakeImp) -> list[tuple[str, object]]:
    return [(m["type"], m["message"]) for m in imp.messages()]


def result(imp: FakeImp) -> dict:
    return imp.messages()[-1]["message"]


# (method body, expected TEST_FAIL message or None when it passes)
ASSERTIONS = [
    ("assertTrue(1 == 1)", None),
    ("assertTrue(false)", "Failed to assert that condition is true"),
    ('assertTrue(false, "custom")', "custom"),
    ("assertEqual(1, 1)", None),
    ('assertEqual(1, "x")', "Expected value: 1, got: x"),
    ("assertEqual(null, 2)", "Expected value: null, got: 2"),
    ("assertGreater(2, 1)", None),
    ("assertGreater(1, 1)", "Failed to assert that 1 > 1"),
    ("assertLess(1, 2)", None),
    ("assertLess(2.5, 2)", "Failed to assert that 2.5 < 2"),
    ("assertClose(10, 10.4, 0.5)", None),
    ("assertClose(10, 11, 0.5)", "Expected value: 10±0.5, got: 11"),
    ("assertBetween(5, 1, 10)", None),
    ("assertBetween(5, 10, 1)", None),
    ("assertBetween(11, 10, 1)", "Expected value the range of 1..10, got 11"),
    ('assertThrowsError(function() { throw "x"; }, this)', None),
    ("assertThrowsError(function(a) { return a; }, this, [1])", "Function was expected to throw an error"),
    ('assertDeepEqual({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]})', None),
    ('assertDeepEqual({"a": {"b": 1}}, {"a": {"b": 2}})', "Comparison failed on 'a.b': expected 1, got 2"),
    ('assertDeepEqual({"a": 1, "b": 2}, {"a": 1})', "Comparison failed on 'b': expected 2, got none"),
    ('assertDeepEqual({"a": 1}, {"a": 1, "c": 3})', "Comparison failed on 'c': expected none, got 3"),
    ("assertDeepEqual([1, 2], [1, 3])", "Comparison failed on '1': expected 2, got 3"),
    (
        'assertDeepEqual({"a": 1}, {"a": "1"})',
        "Values are not the same type, typeof lhs = integer, typeof rhs = string",
    ),
    ("assertDeepEqual(1, 2)", "Comparison failed on '': expected 1, got 2"),
    (
        "local a = blob(2); local b = blob(3); assertDeepEqual(a, b)",
        "Blob lengths unequal, lhs.len() == 2, rhs.len() == 3",
    ),
    (
        "local a = blob(2); local b = blob(2); b[0] = 1; assertDeepEqual(a, b)",
        "Blobs are the same length (2 bytes), but the contents are not identical.",
    ),
    ("local t = {}; t.self <- t; assertDeepEqual(t, t)", "Possible cyclic reference at " + ".".join(["self"] * 33)),
]


@pytest.mark.parametrize(("body", "failure"), ASSERTIONS, ids=[a[0][:60] for a in ASSERTIONS])
def test_each_assertion_and_its_default_message(body, failure):
    imp = run_suite(f"class A extends ImpTestCase {{\n  function testIt() {{ {body}; }}\n}}")
    expected = [("SESSION_START", ""), ("TEST_START", "A::testIt()")]
    expected.append(("TEST_OK", None) if failure is None else ("TEST_FAIL", failure))
    expected.append(("SESSION_RESULT", {"tests": 1, "assertions": 1, "failures": 0 if failure is None else 1}))
    assert steps(imp) == expected
    assert imp.errors == []


def test_assert_throws_error_returns_the_error_and_counts():
    tests = """
class A extends ImpTestCase {
  function testIt() {
    local error = assertThrowsError(function(a, b) { throw "bad " + a + b; }, this, [1, 2]);
    assertEqual("bad 12", error);
    return error;
  }
}"""
    imp = run_suite(tests)
    assert steps(imp)[2:] == [("TEST_OK", "bad 12"), ("SESSION_RESULT", {"tests": 1, "assertions": 2, "failures": 0})]


SUITE = """
class Second extends ImpTestCase {
  function testOnly() { assertTrue(true); }
}
class First extends ImpTestCase {
  log = null;
  function setUp() { log = ["setUp"]; info({"table": {"n": 1}, "list": [1, "two"]}); }
  function testB() { log.push("testB"); assertEqual(2, 1 + 1); assertTrue(true); return log.len(); }
  function testA() { log.push("testA"); throw "failed on purpose"; }
  function testAsync() {
    return Promise(function(resolve, reject) {
      imp.wakeup(0.5, function() { resolve("later"); });
    });
  }
  function testAsyncRejected() { return Promise.reject("no luck"); }
  function testTimesOut() { return Promise(function(resolve, reject) {}); }
  function tearDown() { info(log.len()); runCommand("echo hi"); }
  function helper() { throw "never called"; }
}
class Base extends ImpTestCase {}
class Grandchild extends Base {
  function testInherited() { assertLess(1, 2); }
}
"""


def test_a_whole_session_in_order_with_counts():
    imp = run_suite(SUITE)
    assert steps(imp) == [
        ("SESSION_START", ""),
        ("TEST_START", "First::setUp()"),
        ("INFO", {"message": {"table": {"n": 1}, "list": [1, "two"]}}),
        ("TEST_OK", None),
        ("TEST_START", "First::testA()"),
        ("TEST_FAIL", "failed on purpose"),
        ("TEST_START", "First::testAsync()"),
        ("TEST_OK", "later"),
        ("TEST_START", "First::testAsyncRejected()"),
        ("TEST_FAIL", "no luck"),
        ("TEST_START", "First::testB()"),
        ("TEST_OK", 3),
        ("TEST_START", "First::testTimesOut()"),
        ("TEST_FAIL", "Test timed out after 2s"),
        ("TEST_START", "First::tearDown()"),
        ("INFO", {"message": 3}),
        ("EXTERNAL_COMMAND", {"command": "echo hi"}),
        ("TEST_OK", None),
        ("TEST_START", "Grandchild::testInherited()"),
        ("TEST_OK", None),
        ("TEST_START", "Second::testOnly()"),
        ("TEST_OK", None),
        ("SESSION_RESULT", {"tests": 7, "assertions": 4, "failures": 3}),
    ]
    assert imp.errors == []
    assert {m["session"] for m in imp.messages()} == {SESSION}
    assert all(m["__IMPUNIT__"] == 1 for m in imp.messages())
    assert imp.now == pytest.approx(2 + 0.5 + 2)  # the 2 s bootstrap delay, the async test, the timeout


def test_the_runner_starts_two_seconds_after_load():
    imp = FakeImp()
    imp.execute(impunit.test_side(None, "device", "class A extends ImpTestCase { function testX() {} }", SESSION, 2))
    imp.run_timers(until=1.9)
    assert imp.messages() == []
    imp.run_timers()
    assert steps(imp)[0] == ("SESSION_START", "")


def test_a_synchronous_test_longer_than_the_timeout_fails():
    imp = run_suite("class A extends ImpTestCase { function testSlow() { __spin(3.5); return 1; } }")
    assert steps(imp)[2] == ("TEST_FAIL", "Test took 3.5s, longer than timeout of 2s")


def test_stop_on_failure_ends_the_session_at_the_first_failure():
    imp = run_suite(SUITE, stop_on_failure=True)
    assert steps(imp)[-3:] == [
        ("TEST_START", "First::testA()"),
        ("TEST_FAIL", "failed on purpose"),
        ("SESSION_RESULT", {"tests": 1, "assertions": 0, "failures": 1}),
    ]


def test_test_class_and_test_case_selection():
    imp = run_suite(SUITE, test_class="First", test_case="testB")
    assert steps(imp) == [
        ("SESSION_START", ""),
        ("TEST_START", "First::setUp()"),
        ("INFO", {"message": {"table": {"n": 1}, "list": [1, "two"]}}),
        ("TEST_OK", None),
        ("TEST_START", "First::testB()"),
        ("TEST_OK", 2),
        ("TEST_START", "First::tearDown()"),
        ("INFO", {"message": 2}),
        ("EXTERNAL_COMMAND", {"command": "echo hi"}),
        ("TEST_OK", None),
        ("SESSION_RESULT", {"tests": 1, "assertions": 2, "failures": 0}),
    ]
    only_class = run_suite(SUITE, test_class="Second")
    assert [s for s in steps(only_class) if s[0] == "TEST_START"] == [("TEST_START", "Second::testOnly()")]


def test_a_runtime_error_in_a_test_is_its_failure():
    imp = run_suite("class A extends ImpTestCase { function testNull() { local a = null; return a.x; } }")
    assert steps(imp)[2] == ("TEST_FAIL", "the index 'x' does not exist")


def test_an_async_test_counts_assertions_made_before_it_settles():
    tests = """
class A extends ImpTestCase {
  function testLater() {
    return Promise(function(resolve, reject) {
      imp.wakeup(0.1, function() { assertTrue(true); assertEqual(1, 1); resolve(); }.bindenv(this));
    }.bindenv(this));
  }
}"""
    assert result(run_suite(tests)) == {"tests": 1, "assertions": 2, "failures": 0}


def test_no_test_class_gives_an_empty_session():
    imp = run_suite("function notATest() {}")
    assert steps(imp) == [("SESSION_START", ""), ("SESSION_RESULT", {"tests": 0, "assertions": 0, "failures": 0})]


def test_readable_output_is_text():
    imp = FakeImp()
    imp.execute(impunit.framework_source())
    imp.execute(
        "class A extends ImpTestCase { function testX() { assertTrue(false); } }\n"
        "imp.wakeup(0, function() { local t = ImpUnitRunner(); t.run(); });"
    )
    imp.run_timers()
    assert imp.logs == [
        "[impUnit] SESSION_START",
        "[impUnit] TEST_START: A::testX()",
        "[impUnit] TEST_FAIL: Failed to assert that condition is true",
        '[impUnit] SESSION_RESULT: {"tests":1,"assertions":1,"failures":1}',
    ]


# ---- Promise ----


def promise_log(body: str, until: float | None = None) -> list[str]:
    imp = FakeImp()
    imp.execute(impunit.framework_source())
    imp.execute(body)
    imp.run_timers(until=until)
    assert imp.errors == []
    return imp.logs


def test_promise_handlers_run_later_never_during_the_settling_call():
    logs = promise_log("""
local p = Promise(function(resolve, reject) { resolve(1); server.log("after resolve"); });
p.then(function(v) { server.log("then " + v); });
server.log("end of script");
""")
    assert logs == ["after resolve", "end of script", "then 1"]


def test_promise_chaining_fail_and_finally():
    logs = promise_log("""
Promise.resolve(1)
  .then(function(v) { return v + 1; })
  .then(function(v) { return Promise.resolve(v * 10); })
  .then(function(v) { server.log("value " + v); throw "oops"; })
  .then(function(v) { server.log("skipped"); })
  .fail(function(reason) { server.log("failed " + reason); return "recovered"; })
  .finally(function(v) { server.log("finally " + v); });
Promise.reject("r").finally(function(reason) { server.log("finally on reject " + reason); });
Promise(function(resolve, reject) { throw "thrown in action"; }).fail(function(e) { server.log(e); });
""")
    assert logs == ["finally on reject r", "thrown in action", "value 20", "failed oops", "finally recovered"]


def test_promise_all_race_loop_serial():
    logs = promise_log("""
function later(seconds, value) {
  return Promise(function(resolve, reject) { imp.wakeup(seconds, function() { resolve(value); }); });
}
Promise.all([later(0.3, "a"), "b", later(0.1, "c")]).then(function(values) {
  server.log("all " + values[0] + values[1] + values[2]);
});
Promise.all([later(0.1, "a"), Promise.reject("no")]).fail(function(r) { server.log("all failed " + r); });
Promise.all([]).then(function(values) { server.log("all empty " + values.len()); });
Promise.race([later(0.3, "slow"), later(0.2, "fast")]).then(function(v) { server.log("race " + v); });
local state = {"i": 0};
Promise.loop(function() { return state.i < 3; },
             function() { state.i++; return later(0.01, state.i * 10); })
  .then(function(v) { server.log("loop " + v + " after " + state.i); });
Promise.serial([
  function() { server.log("serial 1"); return later(0.05, 1); },
  later(0.01, 2),
  function() { server.log("serial 3"); return 3; }
]).then(function(v) { server.log("serial done " + v); });
Promise.serial([function() { return Promise.reject("stop"); }, function() { server.log("never"); }])
  .fail(function(r) { server.log("serial failed " + r); });
""")
    assert "all abc" in logs
    assert "all failed no" in logs
    assert "all empty 0" in logs
    assert "race fast" in logs
    assert "loop 30 after 3" in logs
    assert logs.index("serial 1") < logs.index("serial 3") < logs.index("serial done 3")
    assert "serial failed stop" in logs and "never" not in logs


# ---- JSONEncoder ----


def test_json_encoder_values():
    logs = promise_log(r"""
class Point { x = 1; y = 2; function _serialize() { return {"x": x, "y": y}; } }
class Plain { a = "v"; }
server.log(JSONEncoder.encode({"s": "q\"b\\n\nt\tc" + format("%c", 1), "i": -3, "f": 1.5, "b": true, "n": null,
                               "a": [1, [2]], "p": Point(), "o": Plain()}));
""")
    assert json.loads(logs[0]) == {
        "s": 'q"b\\n\nt\tc\u0001',
        "i": -3,
        "f": 1.5,
        "b": True,
        "n": None,
        "a": [1, [2]],
        "p": {"x": 1, "y": 2},
        "o": {"a": "v"},
    }


def test_wrap_and_bootstrap_read_as_impt_generates_them():
    code = impunit.bootstrap("toward-pound", 30, True, "MyCase", "testX")
    assert "imp.wakeup(2, function() {" in code and 't.session = "toward-pound";' in code
    assert "t.readableOutput = false;" in code and "t.timeout = 30;" in code and "t.stopOnFailure = true;" in code
    assert 't.testClass = "MyCase";' in code and 't.testCase = "testX";' in code
    assert code.startswith("function __module_tests_bootstrap(ImpUnitRunner) {")
    assert impunit.wrap_tests("X").startswith("function __module_tests(ImpTestCase) {\nX\n}")
    side = impunit.test_side(None, "agent", "// tests", "s-s", 5)
    assert "/* no agent source */" in side and side.index("class ImpUnitRunner") < side.index("// tests")


def test_builder_output_with_line_control_runs_as_squirrel(tmp_path):
    """The `#line` statements impt asks Builder for are comments to Squirrel; rows map back with locate()."""
    from impt.builder import Builder, locate

    (tmp_path / "helpers.nut").write_text("function double(x) { return x * 2; }\n")
    (tmp_path / "my.test.nut").write_text(
        '@include "helpers.nut"\n@set EXPECTED = 2 * 21\n'
        "class Sum extends ImpTestCase {\n"
        "  function testDouble() { assertEqual(@{EXPECTED}, double(21)); return [__LINE__, @{__LINE__}]; }\n"
        "}\n"
    )
    test_code = Builder({}, tmp_path, environ={}).file(tmp_path / "my.test.nut", line_control=True)
    code = impunit.test_side(None, "device", test_code, SESSION, 2)
    imp = FakeImp()
    imp.execute(code)
    imp.run_timers()
    (_, (squirrel_row, builder_line)), result_step = steps(imp)[2:]
    assert result_step == ("SESSION_RESULT", {"tests": 1, "assertions": 1, "failures": 0})
    assert builder_line == 4
    assert locate(code, squirrel_row) == ("my.test.nut", 4)  # Squirrel's own row of that line, mapped back
    rows = code.split("\n")
    assert locate(code, next(i for i, line in enumerate(rows, 1) if "function double" in line)) == ("helpers.nut", 1)
