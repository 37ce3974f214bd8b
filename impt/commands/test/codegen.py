"""The code `test run` deploys: our Squirrel runner, the sources, the test file and a bootstrap.

The test side (agent for agent tests, device for device tests) gets runner + source + tests + bootstrap;
the other side gets its source, the partner file, and a random literal so every run is a new revision.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

_CLASS = re.compile(r"\bclass\s+(\w+)\s+extends\s+ImpTestCase\b")
_WORDS = (
    "amber apple arrow badge basin cedar cliff comet coral delta ember fable fern frost grove harbor "
    "iris jade kettle lantern maple meadow nova orbit pebble quartz raven river saffron spruce "
    "thunder toward pound tulip velvet willow zephyr"
).split()


@dataclass(frozen=True)
class SessionSettings:
    session: str
    timeout: int
    stop_on_fail: bool
    test_class: str
    method: str


def runner_source() -> str:
    """impUnit's Squirrel runner, shipped at the top of the impt package."""
    import impt

    return Path(impt.__file__).with_name("squirrel_runner.nut").read_text(encoding="utf-8")


def new_session_id() -> str:
    """Two random words joined by `-`, as impt names sessions."""
    return f"{secrets.choice(_WORDS)}-{secrets.choice(_WORDS)}"


def test_classes(test_code: str) -> list[str]:
    return list(dict.fromkeys(_CLASS.findall(test_code)))


def bootstrap(test_code: str, settings: SessionSettings) -> str:
    """Starts the runner 2 s after load (impt's delay), with the session's settings as literals."""
    classes = ", ".join(f"[{json.dumps(name)}, {name}]" for name in test_classes(test_code))
    lines = [
        "imp.wakeup(2, function() {",
        f"    local runner = ImptTestRunner([{classes}]);",
        f"    runner.session = {json.dumps(settings.session)};",
        f"    runner.timeout = {int(settings.timeout)};",
        f"    runner.stopOnFailure = {'true' if settings.stop_on_fail else 'false'};",
        f"    runner.testClass = {json.dumps(settings.test_class)};",
        f"    runner.testCase = {json.dumps(settings.method)};",
        "    runner.run();",
        "});",
    ]
    return "\n".join(lines) + "\n"


def test_side(source: str | None, kind: str, test_code: str, settings: SessionSettings) -> str:
    parts = [runner_source(), source if source is not None else f"/* no {kind} source */", test_code]
    parts.append(bootstrap(test_code, settings))
    return "\n".join(parts)


def other_side(source: str | None, kind: str, partner: str | None) -> str:
    parts = [source if source is not None else f"/* no {kind} source */"]
    if partner is not None:
        parts.append(partner)
    parts.append(f'// force code update\n__imptRevision <- "{secrets.token_hex(16)}";\n')
    return "\n".join(parts)
