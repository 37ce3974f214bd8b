"""What a simulated device prints when it "runs" impUnit tests (impt-behaviour.md §9).

The deployed code is read, not executed: the session id (`t.session = "..."`), the selected
class and method (`t.testClass`, `t.testCase`), every `class X extends ImpTestCase` and its
`test*` methods. Each method passes unless its body contains `throw "text"` (fails with that
text) or `assertTrue(false` (fails with impUnit's wording); `info("text")` calls become INFO
messages. See README.md "impUnit emulation" for the exact output.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .squirrel_text import matching_brace, unescape

_STRING = r'"((?:[^"\\\n]|\\.)*)"'
_SESSION = re.compile(r"\.session\s*=\s*" + _STRING)
_TEST_CLASS = re.compile(r"\.testClass\s*=\s*" + _STRING)
_TEST_CASE = re.compile(r"\.testCase\s*=\s*" + _STRING)
_CLASS = re.compile(r"\bclass\s+(\w+)\s+extends\s+ImpTestCase\s*\{")
_METHOD = re.compile(r"\bfunction\s+(\w+)\s*\([^)]*\)\s*\{")
_THROW = re.compile(r"\bthrow\s+" + _STRING)
_ASSERT_FALSE = re.compile(r"\bassertTrue\s*\(\s*false\b")
_INFO = re.compile(r"\binfo\s*\(\s*" + _STRING + r"\s*\)")
_ASSERTION = re.compile(r"\bassert\w*\s*\(")


@dataclass
class TestMethod:
    name: str
    body: str


@dataclass
class TestClass:
    name: str
    methods: list[TestMethod] = field(default_factory=list)


def find_session(code: str) -> str | None:
    if "ImpTestCase" not in code:
        return None
    match = _SESSION.search(code)
    return unescape(match.group(1)) if match else None


def test_classes(code: str) -> list[TestClass]:
    classes = []
    for match in _CLASS.finditer(code):
        open_at = match.end() - 1
        close_at = matching_brace(code, open_at)
        body = code[open_at + 1 : close_at if close_at > 0 else len(code)]
        test_class = TestClass(match.group(1))
        position = 0
        while True:
            method = _METHOD.search(body, position)
            if method is None:
                break
            m_open = method.end() - 1
            m_close = matching_brace(body, m_open)
            m_close = len(body) if m_close < 0 else m_close
            test_class.methods.append(TestMethod(method.group(1), body[m_open + 1 : m_close]))
            position = m_close + 1
        classes.append(test_class)
    return classes


def _message(kind: str, session: str, message: object) -> str:
    return json.dumps({"__IMPUNIT__": 1, "type": kind, "session": session, "message": message})


def _run_method(session: str, class_name: str, method: TestMethod) -> tuple[list[str], bool, int]:
    lines = [_message("TEST_START", session, f"{class_name}::{method.name}()")]
    lines += [_message("INFO", session, {"message": unescape(m.group(1))}) for m in _INFO.finditer(method.body)]
    thrown = _THROW.search(method.body)
    failure = None
    if thrown:
        failure = unescape(thrown.group(1))
    elif _ASSERT_FALSE.search(method.body):
        failure = "Failed to assert that condition is true"
    lines.append(_message("TEST_FAIL", session, failure) if failure else _message("TEST_OK", session, None))
    return lines, failure is None, len(_ASSERTION.findall(method.body))


def session_lines(code: str) -> list[str]:
    """The impUnit log messages for the test code, in order; empty when it is not a test build."""
    session = find_session(code)
    if session is None:
        return []
    only_class = _TEST_CLASS.search(code)
    only_case = _TEST_CASE.search(code)
    wanted_class = unescape(only_class.group(1)) if only_class else ""
    wanted_case = unescape(only_case.group(1)) if only_case else ""
    lines = [_message("SESSION_START", session, "")]
    tests = assertions = failures = 0
    for test_class in test_classes(code):
        if wanted_class and test_class.name != wanted_class:
            continue
        chosen = [
            m for m in test_class.methods if m.name.startswith("test") and (not wanted_case or m.name == wanted_case)
        ]
        if not chosen:
            continue
        by_name = {m.name: m for m in test_class.methods}
        for method in [by_name.get("setUp"), *chosen, by_name.get("tearDown")]:
            if method is None:
                continue
            out, passed, asserted = _run_method(session, test_class.name, method)
            lines += out
            assertions += asserted
            if method.name.startswith("test"):
                tests += 1
            failures += 0 if passed else 1
    lines.append(_message("SESSION_RESULT", session, {"tests": tests, "assertions": assertions, "failures": failures}))
    return lines
