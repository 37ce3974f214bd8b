"""One renderer for every command: impt's text layout, minimal and json modes, the final status line.

Data goes to stdout. In json/minimal modes stdout carries data only; dialogs go to stderr.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

SUCCEEDS = "IMPT COMMAND SUCCEEDS"
FAILS = "IMPT COMMAND FAILS"
_MAX_TEXT = 512
_GREEN, _RED, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[39m"
# Lines impt prints after an error with printInfo (info level: default/debug only), not as result.
_HINTS = re.compile(
    r'Please (re)?login using ".*" command and then try again\.'
    r'|Use ".*" command to delete the outdated .*\.'
)
# Shown in minimal mode too (impt-behaviour.md "Multiple matches (text & minimal)"), but not a json detail.
_NOT_DETAILS = frozenset({"Impossible to execute the command."})


# C0 controls but newline and tab, DEL and C1: a name or log line from the API must not drive the terminal.
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if c not in (0x09, 0x0A)}


def escape_control(text: str) -> str:
    """Text-mode form of a string from the API: ESC, BEL, ... shown as `\\x1b`, `\\x07` (JSON keeps them raw)."""
    return text.translate(_CONTROL)


class Hint(str):
    """An info-level line after an error (a relogin hint...): hidden in minimal and json modes."""


def is_hint(line: str) -> bool:
    return isinstance(line, Hint) or _HINTS.fullmatch(line) is not None


def format_text(obj: Any, *, indent: int = 0, minimal: bool = False, color: bool = False) -> list[str]:
    """Lines of impt's JsonFormatter layout for one object, list or scalar."""
    lines: list[str] = []
    if isinstance(obj, list):
        for item in obj:
            lines.extend(format_text(item, indent=indent, minimal=minimal, color=color))
        return lines
    if not isinstance(obj, dict):
        return [" " * indent + _scalar(obj, minimal)]
    width = max((len(k) for k in obj), default=0)
    for key, value in obj.items():
        label = f"{escape_control(str(key))}: "
        if color:
            label = f"{_GREEN}{label}{_RESET}"
        prefix = " " * indent + label
        if isinstance(value, dict) or (isinstance(value, list) and value and not _is_scalar(value[0])):
            lines.append(prefix)
            lines.extend(format_text(value, indent=indent + 2, minimal=minimal, color=color))
        elif isinstance(value, str) and "\n" in value:
            lines.append(prefix)
            lines.extend(_text_block(value, indent + 2, minimal))
        else:
            lines.append(prefix + " " * (width - len(key)) + _scalar(value, minimal))
    return lines


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _scalar(value: Any, minimal: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if not value:
            return "-"
        return ("," if minimal else ", ").join(_scalar(v, minimal) for v in value)
    text = escape_control(str(value))
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + "\n..."
    return text


def _text_block(value: str, indent: int, minimal: bool) -> list[str]:
    if len(value) > _MAX_TEXT:
        value = value[:_MAX_TEXT] + "\n..."
    pad = " " * indent
    value = escape_control(value)
    return [pad + '"""', *(pad + "  " + line for line in value.split("\n")), pad + '"""']


class Output:
    """Writes info lines, data blocks, errors and the status line according to `--output`."""

    def __init__(self, mode: str | None, stdout: TextIO, stderr: TextIO, *, color: bool = False) -> None:
        self.mode = mode or "default"
        self.stdout = stdout
        self.stderr = stderr
        self.color = color and self.mode in ("default", "debug")
        self.data_written = False
        self.ended_with_prompt = False  # a pager's last words (`log get` without a terminal): no second status

    @property
    def is_json(self) -> bool:
        return self.mode == "json"

    @property
    def verbose(self) -> bool:
        """Default and debug modes show info lines and the status line."""
        return self.mode in ("default", "debug")

    @property
    def dialog_stream(self) -> TextIO:
        return self.stdout if self.verbose else self.stderr

    def _write(self, text: str, stream: TextIO | None = None) -> None:
        (stream or self.stdout).write(text + "\n")

    def info(self, text: str) -> None:
        if self.verbose:
            self._write(escape_control(text))

    def dialog(self, text: str) -> None:
        self._write(escape_control(text), self.dialog_stream)

    def debug(self, text: str) -> None:
        if self.mode == "debug":
            self._write(text)

    def data(self, obj: Any) -> None:
        """A data block: text layout, or pretty JSON in json mode."""
        self.data_written = True
        if self.is_json:
            import json

            self._write(json.dumps(obj, indent=2, ensure_ascii=False))
        else:
            for line in format_text(obj, minimal=self.mode == "minimal", color=self.color):
                self._write(line)

    def object_info(self, obj: Any) -> None:
        """Data impt prints at info level (printObjectInfo): shown as text in default/debug modes only,
        so minimal prints nothing of it and json ends with `{}` unless other data was written."""
        if self.verbose:
            for line in format_text(obj, color=self.color):
                self._write(line)

    def dialog_data(self, obj: Any) -> None:
        for line in format_text(obj, minimal=self.mode == "minimal", color=self.color and self.verbose):
            self._write(line, self.dialog_stream)

    def error(self, message: str, details: list | None = None, tail: list[str] | None = None, prefix: str = "") -> None:
        """`Error: <message>`, candidate blocks, then the tail: result lines (compile errors) in every
        text mode, hint lines (relogin, `Impossible to execute the command.`) in default/debug only.
        json: one document, `{"Error": message}` plus `"Details"` with the tail's result lines."""
        tail = tail or []
        if self.is_json:
            import json

            document: dict[str, Any] = {"Error": message}
            result_lines = [line for line in tail if not is_hint(line) and line not in _NOT_DETAILS]
            if result_lines:
                document["Details"] = result_lines
            if details:  # beyond impt 2.6: the candidates of an ambiguous identifier, for scripts
                document["Candidates"] = details
            self._write(json.dumps(document, indent=2, ensure_ascii=False))
            return
        text = escape_control(prefix + message)
        self._write(f"{_RED}{text}{_RESET}" if self.color else text)
        for block in details or []:
            self.data(block)
        for line in tail:
            if self.verbose or not is_hint(line):
                self._write(escape_control(line))

    def finish(self, ok: bool) -> None:
        if self.is_json and ok and not self.data_written:
            self._write("{}")
        if self.verbose and not (ok and self.ended_with_prompt):
            self._write(SUCCEEDS if ok else FAILS)
        self.stdout.flush()
