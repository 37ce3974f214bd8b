"""The impUnit protocol over device logs (impt-behaviour §9): one JSON object per `server.log` line.

`{"__IMPUNIT__": 1, "type": T, "session": S, "message": M}`; only lines of the expected log type
(`agent.log` for agent tests, `server.log` for device tests) and of the current session count.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MARKER = "__IMPUNIT__"
LOG_TYPE = {"agent": "agent.log", "device": "server.log"}
_STORAGE = re.compile(r"(Out of space)?.*?([\d.]+)% program storage used")


@dataclass(frozen=True)
class ImpUnitMessage:
    type: str
    session: str
    message: Any


def parse_message(msg: str) -> ImpUnitMessage | None:
    """The protocol message in a log line, or None when the line is not one."""
    if MARKER not in msg:
        return None
    try:
        data = json.loads(msg)
    except ValueError:
        return None
    if not isinstance(data, dict) or MARKER not in data or not isinstance(data.get("type"), str):
        return None
    return ImpUnitMessage(data["type"], str(data.get("session", "")), data.get("message"))


def for_session(msg: str, log_type: str | None, kind: str, session: str) -> ImpUnitMessage | None:
    """The message when it belongs to this session and arrived on the test's log type."""
    if log_type != LOG_TYPE[kind]:
        return None
    parsed = parse_message(msg)
    return parsed if parsed is not None and parsed.session == session else None


def storage_usage(msg: str) -> tuple[str, bool] | None:
    """(`3.41`, out_of_space) from `... 3.41% program storage used` status lines."""
    match = _STORAGE.search(msg)
    if match is None:
        return None
    return match.group(2), bool(match.group(1))


def describe_value(value: Any) -> str:
    """How impt prints a value a test passed back (strings keep their JSON quotes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
