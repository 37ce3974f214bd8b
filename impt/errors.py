"""Errors the console reports, each carrying the exit code a script can act on."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4
EXIT_NETWORK = 5
EXIT_TIMEOUT = 6
EXIT_INTERRUPTED = 130

EXIT_CODES = (
    (EXIT_OK, "success"),
    (EXIT_FAILED, "the command failed (impCentral API error, refused operation, bad file)"),
    (EXIT_USAGE, "usage error (unknown/missing option, bad value, input needed without a terminal)"),
    (EXIT_AUTH, "authentication error (not logged in, broken auth file, expired token)"),
    (EXIT_NOT_FOUND, "entity not found or ambiguous identifier"),
    (EXIT_NETWORK, "impCentral unreachable or timed out"),
    (EXIT_TIMEOUT, "log stream --timeout passed (no line matched --until)"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
)


class ImptError(Exception):
    """A failure reported as `Error: <message>`; `details` are extra lines printed after it."""

    exit_code = EXIT_FAILED
    prefix = "Error: "
    reported = False  # True when the command already printed the error as part of its data (json mode)
    internal = False  # True for an unexpected exception (a bug): debug mode prints its traceback

    def __init__(self, message: str, details: list | None = None, tail: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.tail = tail or []


class UsageError(ImptError):
    exit_code = EXIT_USAGE


class AuthError(ImptError):
    exit_code = EXIT_AUTH


class NotFoundError(ImptError):
    exit_code = EXIT_NOT_FOUND


class NetworkError(ImptError):
    exit_code = EXIT_NETWORK


class CanceledError(ImptError):
    """The user answered 'n': impt prints the phrase without the `Error: ` prefix."""

    prefix = ""

    def __init__(self) -> None:
        super().__init__("Operation is canceled.")


class StreamTimeoutError(ImptError):
    """`log stream --timeout` passed: CI can tell "no matching line" from other failures."""

    exit_code = EXIT_TIMEOUT
