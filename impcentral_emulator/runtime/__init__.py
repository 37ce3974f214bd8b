"""Squirrel execution for the emulator's devices and agents (issues 13, 22); the interface is in README.md.

`available()` says whether the `squirrel` extension (squirrel-lang) imports here; where it does
not, the emulator runs with execution off and says why with `unavailable_reason()`.
"""

from __future__ import annotations

import os

from .clock import Clock, LoopClock, ManualClock
from .compiler import compile_errors
from .host import DeviceFacts, HttpAnswer, RuntimeEvents, RuntimeHost
from .limits import Limits

_REASON: str | None = None
_CHECKED = False


def unavailable_reason() -> str | None:
    """None when Squirrel can run here, else one line saying why not."""
    global _REASON, _CHECKED  # noqa: PLW0603 - the import is tried once per process
    if not _CHECKED:
        _CHECKED = True
        if os.name != "posix":
            _REASON = "Squirrel execution is off: its watchdog needs a POSIX system (CPU-time and memory limits)"
            return _REASON
        try:
            import squirrel  # noqa: F401
        except ImportError as exc:
            _REASON = f"Squirrel execution is off: the squirrel-lang extension cannot be imported ({exc})"
    return _REASON


def available() -> bool:
    return unavailable_reason() is None


__all__ = [
    "Clock",
    "DeviceFacts",
    "HttpAnswer",
    "Limits",
    "LoopClock",
    "ManualClock",
    "RuntimeEvents",
    "RuntimeHost",
    "available",
    "compile_errors",
    "unavailable_reason",
]
