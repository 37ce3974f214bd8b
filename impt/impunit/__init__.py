"""The impUnit-compatible framework `impt test run` deploys, and the code that starts it.

impt 2.6 deploys impUnit with the Promise and JSONEncoder libraries `#require`d, so test code can use
both; ours are our own Squirrel with the same API (see spec/impunit.md). The test side of a session is
`framework_source()`, the user's source, `wrap_tests(test code)` and `bootstrap(...)`, in that order.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

FILES = ("promise.nut", "json_encoder.nut", "impunit.nut")
BOOTSTRAP_DELAY = 2  # seconds, as impt 2.6 waits before starting the runner


@cache
def framework_source() -> str:
    """Promise, JSONEncoder, ImpTestCase and ImpUnitRunner as one Squirrel source."""
    folder = Path(__file__).parent
    return "\n".join((folder / name).read_text(encoding="utf-8") for name in FILES)


def wrap_tests(test_code: str) -> str:
    """The test file inside `__module_tests(ImpTestCase)`, as impt 2.6 wraps it; its classes land in the root."""
    return f"function __module_tests(ImpTestCase) {{\n{test_code}\n}}\n__module_tests(ImpTestCase);\n"


def bootstrap(
    session: str,
    timeout: int,
    stop_on_failure: bool = False,
    test_class: str = "",
    test_case: str = "",
) -> str:
    """Starts the runner `BOOTSTRAP_DELAY` s after load with the session's settings (impt reads the session id)."""
    lines = [
        "function __module_tests_bootstrap(ImpUnitRunner) {",
        f"  imp.wakeup({BOOTSTRAP_DELAY}, function() {{",
        "    local t = ImpUnitRunner();",
        "    t.readableOutput = false;",
        f"    t.session = {json.dumps(session)};",
        f"    t.timeout = {int(timeout)};",
        f"    t.stopOnFailure = {'true' if stop_on_failure else 'false'};",
        f"    t.testClass = {json.dumps(test_class or '')};",
        f"    t.testCase = {json.dumps(test_case or '')};",
        "    t.run();",
        "  });",
        "}",
        "__module_tests_bootstrap(ImpUnitRunner);",
    ]
    return "\n".join(lines) + "\n"


def test_side(source: str | None, kind: str, test_code: str, session: str, timeout: int, **selection: object) -> str:
    """The whole test-side code: framework, the user's source (or a placeholder), the tests and the bootstrap."""
    user_source = source if source is not None else f"/* no {kind} source */"
    return "\n".join([framework_source(), user_source, wrap_tests(test_code), bootstrap(session, timeout, **selection)])
