"""Output streams that survive a reader going away (`impt dg list | head -1`).

When the reader closes the pipe, the command still runs to its end (a delete family must not stop
half-way because nobody reads its report); what is left to print is dropped, and the exit code is the
command's own.
"""

from __future__ import annotations

import os
from typing import Any, TextIO


class PipeSafeStream:
    """Wraps a text stream: after the first BrokenPipeError every write and flush is a no-op."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._close()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._close()

    def _close(self) -> None:
        """Point the descriptor at /dev/null, so the interpreter's own flush at exit has nowhere to fail."""
        self.broken = True
        try:
            fd = self._stream.fileno()
        except (AttributeError, OSError, ValueError):
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
