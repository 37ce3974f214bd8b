"""Per-token fixed one-second windows, with the X-RateLimit-* headers of the real API (spec §1.4)."""

from __future__ import annotations

import math
import time

from .errors import ApiError


class RateLimiter:
    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._windows: dict[str, tuple[int, int]] = {}

    def check(self, key: str) -> dict[str, str]:
        """Count one request for `key`; the headers to send, or an ApiError 429 carrying them."""
        if self.limit is None:
            return {}
        now = time.monotonic()
        window = int(now)
        start, count = self._windows.get(key, (window, 0))
        if start != window:
            start, count = window, 0
            if len(self._windows) > 10_000:
                self._windows.clear()
        count += 1
        self._windows[key] = (start, count)
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - count)),
            "X-RateLimit-Reset": str(max(1, math.ceil(start + 1 - now))),
        }
        if count > self.limit:
            raise ApiError(
                429,
                "XX429",
                "Too Many Requests",
                f"The rate limit of {self.limit} requests per second was exceeded; retry after the reset.",
                headers=headers,
            )
        return headers

    def reset(self) -> None:
        self._windows.clear()
