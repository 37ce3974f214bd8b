"""The code `test run` deploys, generated as impt 2.6 generates it and run through Builder.

The test side (agent for agent tests, device for device tests) is the impUnit framework, the source, the
test file wrapped in `__module_tests(ImpTestCase)` and the bootstrap; the other side is its source, the
partner file and a random literal so every run is a new revision. Sources, tests and partner files are
`@include`d into one Builder input, so `@set` variables flow from source to tests as in impt 2.6 and the
line control statements name the user's files (`locate` maps a row back).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

from impt.builder import Builder, locate
from impt.impunit import bootstrap, framework_source, wrap_tests

_CLASS = re.compile(r"\bclass\s+(\w+)\s+extends\s+ImpTestCase\b")
_WORDS = (
    "amber apple arrow badge basin cedar cliff comet coral delta ember fable fern frost grove harbor "
    "iris jade kettle lantern maple meadow nova orbit pebble quartz raven river saffron spruce "
    "thunder toward pound tulip velvet willow zephyr"
).split()
GENERATED = "impt-generated"  # the name Builder's line control gives the lines impt itself writes


@dataclass(frozen=True)
class SessionSettings:
    session: str
    timeout: int
    stop_on_fail: bool
    test_class: str
    method: str


@dataclass(frozen=True)
class SessionCode:
    """Both sides' code; `tests` is the built test file alone (what `--tests` and the class check read)."""

    test_side: str
    other_side: str
    tests: str


def new_session_id() -> str:
    """Two random words joined by `-`, as impt names sessions."""
    return f"{secrets.choice(_WORDS)}-{secrets.choice(_WORDS)}"


def test_classes(test_code: str) -> list[str]:
    return list(dict.fromkeys(_CLASS.findall(test_code)))


def _include(path: str | None, kind: str) -> str:
    return f"@include {json.dumps(path)}\n" if path else f"/* no {kind} source */\n"


def generate(
    builder: Builder,
    kind: str,
    sources: dict[str, str | None],
    test_file: str,
    *,
    partner: str | None,
    settings: SessionSettings,
) -> SessionCode:
    """Build both sides of one session. `sources` and the files are paths relative to Builder's base."""
    other = "device" if kind == "agent" else "agent"
    tests = builder.text(f"@include {json.dumps(test_file)}\n", GENERATED, line_control=True)
    body = _include(sources[kind], kind) + wrap_tests(f"@include {json.dumps(test_file)}")
    body += bootstrap(
        settings.session,
        settings.timeout,
        stop_on_failure=settings.stop_on_fail,
        test_class=settings.test_class,
        test_case=settings.method,
    )
    test_side = framework_source() + "\n" + builder.text(body, GENERATED, line_control=True)
    other_text = _include(sources[other], other)
    if partner is not None:
        other_text += f"@include {json.dumps(partner)}\n"
    other_text += f'// force code update\n__imptRevision <- "{secrets.token_hex(16)}";\n'
    return SessionCode(test_side, builder.text(other_text, GENERATED, line_control=True), tests)


def where(code: str, row: int) -> tuple[str, int] | None:
    """The user's (file, line) behind a row of generated code; None for impt's own lines and the framework."""
    found = locate(code, row)
    if found is None or found[0] == GENERATED:
        return None
    return found
