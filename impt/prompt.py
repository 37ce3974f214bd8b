"""Dialogs: confirmations and secret prompts that never hang a script.

Without a terminal on stdin a needed answer is an error naming the option that avoids the question.
"""

from __future__ import annotations

from typing import TextIO

from impt.errors import CanceledError, UsageError
from impt.output import Output

CONTINUE_QUESTION = "Are you sure you want to continue?"
YES_NO_PROMPT = "Enter 'y' (yes) or 'n' (no): "


class Terminal:
    """Where answers come from; tests inject a scripted stdin."""

    def __init__(self, stdin: TextIO, *, real: bool) -> None:
        self.stdin = stdin
        self.real = real

    @property
    def interactive(self) -> bool:
        try:
            return bool(self.stdin.isatty())
        except (AttributeError, ValueError):
            return False

    def read_line(self, prompt: str, stream: TextIO) -> str:
        stream.write(prompt)
        stream.flush()
        line = self.stdin.readline()
        if not self.real:
            stream.write("\n")  # a terminal would have echoed the user's Enter
        if not line:
            raise CanceledError()
        return line.rstrip("\r\n")

    def read_secret(self, prompt: str, stream: TextIO) -> str:
        if self.real:
            import getpass

            return getpass.getpass(prompt, stream=stream)
        return self.read_line(prompt, stream)


def confirm(
    out: Output, terminal: Terminal, confirmed: bool, lines: list | None = None, how: str = "--confirmed"
) -> None:
    """Show what will change and ask; `--confirmed` skips. Raises CanceledError on 'n'."""
    if confirmed:
        return
    if not terminal.interactive:
        raise UsageError(f"Confirmation required but no terminal is available: use {how} to proceed.")
    for block in lines or []:
        if isinstance(block, str):
            out.dialog(block)
        else:
            out.dialog_data(block)
    out.dialog(CONTINUE_QUESTION)
    while True:
        answer = terminal.read_line(YES_NO_PROMPT, out.dialog_stream).strip().lower()
        if answer in ("y", "yes"):
            return
        if answer in ("n", "no"):
            raise CanceledError()
        out.dialog("Invalid value!")


def ask(out: Output, terminal: Terminal, what: str, *, secret: bool = False, option: str = "") -> str:
    """Prompt `Enter <what>: `; fails clearly without a terminal."""
    if not terminal.interactive:
        kind = "option" if option.startswith("-") else "environment variable"
        hint = f" Use the {option} {kind}." if option else ""
        raise UsageError(f"The {what} is required but no terminal is available to ask for it.{hint}")
    prompt = f"Enter {what}: "
    if secret:
        return terminal.read_secret(prompt, out.dialog_stream)
    return terminal.read_line(prompt, out.dialog_stream)
