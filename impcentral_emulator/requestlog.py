"""What clients asked for: method, path, status and time of each /v5 request (no bodies, no secrets)."""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from . import ids

REQUEST_LOG_LIMIT = 10_000
HIDDEN = "[hidden]"
# A login key's id is its credential, and so is a refresh token: hide them in logged paths.
_CREDENTIAL_PATH = re.compile(r"(/accounts/[^/]+/(?:login_keys|refresh_tokens)/)([^/]+)")


def masked_path(path: str) -> str:
    if "/accounts/" not in path:
        return path
    return _CREDENTIAL_PATH.sub(lambda m: m.group(1) + HIDDEN, path)


class RequestLog:
    def __init__(self) -> None:
        self.entries: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_LIMIT)

    def record(  # noqa: PLR0917 (one entry's fields)
        self, method: str, path: str, query: str, status: int | None, duration_ms: float, answer_lost: bool = False
    ) -> None:
        """`status` is what the handler answered; `answer_lost` marks a write whose answer was dropped."""
        entry: dict[str, Any] = {
            "method": method,
            "path": masked_path(path),
            "query": query,
            "status": status,
            "time": ids.iso_timestamp(),
            "duration_ms": round(duration_ms, 2),
        }
        if answer_lost:
            entry["answer_lost"] = True
        self.entries.append(entry)

    def clear(self) -> None:
        self.entries.clear()
