"""impt: the impCentral console. `impt <group> <command> [options]`, a drop-in for Electric Imp's impt 2.6.

Only the invoked group's module is imported, and the client only when a command talks to impCentral,
so `impt --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Mapping, Sequence, TextIO

from impt import IMPT_VERSION, commands
from impt.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    AuthError,
    ImptError,
    NetworkError,
    NotFoundError,
    UsageError,
)
from impt.options import OUTPUT_MODES
from impt.output import Output
from impt.parser import check_encoding, parse, peek_output, wants_help
from impt.pipes import PipeSafeStream
from impt.prompt import Terminal

if TYPE_CHECKING:
    from pathlib import Path

    from impt.context import Context

INTERRUPTED_AFTER_WRITE = "Interrupted after the request on the wire got its answer; nothing was sent after it."
ACCESS_FAILED = "Access to impCentral failed or timed out. Please check your network connection."


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run one impt command and return its exit code (0 success, see `impt --help` for the others)."""
    tokens = list(sys.argv[1:] if argv is None else argv)
    env = os.environ if env is None else env
    stdout = PipeSafeStream(stdout or sys.stdout)  # type: ignore[assignment]
    stderr = PipeSafeStream(stderr or sys.stderr)  # type: ignore[assignment]
    terminal = Terminal(stdin or sys.stdin, real=stdin is None)
    mode = peek_output(tokens)
    out = Output(mode if mode in OUTPUT_MODES else None, stdout, stderr, color=_wants_color(stdout, env))
    ctx_holder: list[Context] = []
    try:
        code = _dispatch(tokens, out, terminal, env=env, cwd=str(cwd or os.getcwd()), ctx_holder=ctx_holder)
        stdout.flush()
        return code
    except KeyboardInterrupt:
        deferred = bool(ctx_holder and getattr(ctx_holder[0].interrupts, "deferred", False))
        out.error(INTERRUPTED_AFTER_WRITE if deferred else "Interrupted.", prefix="Error: ")
        out.finish(False)
        return EXIT_INTERRUPTED
    except BaseException as exc:  # every failure becomes one clear message and an exit code
        if isinstance(exc, SystemExit):
            raise
        error = translate(exc, ctx_holder[0] if ctx_holder else None)
        if out.mode == "debug" and error.internal:
            import traceback

            traceback.print_exception(exc, file=stderr)
        if not error.reported:
            out.error(error.message, error.details, error.tail, prefix=error.prefix)
        out.finish(False)
        return error.exit_code


def _wants_color(stdout: TextIO, env: Mapping[str, str]) -> bool:
    if "NO_COLOR" in env:
        return False
    try:
        return bool(stdout.isatty())
    except (AttributeError, ValueError):
        return False


def _dispatch(
    tokens: list[str], out: Output, terminal: Terminal, *, env: Mapping[str, str], cwd: str, ctx_holder: list
) -> int:
    check_encoding(tokens)
    first = tokens[0] if tokens else ""
    if first in ("--help", "-h", "-help", ""):
        groups = {g: commands.GROUP_DESCRIPTIONS[g] for g in commands.available_groups()}
        from impt.help import top_help

        if not tokens:  # yargs prints the usage of the level, then the error
            out.dialog(top_help(groups))
            raise UsageError("Please specify a valid command.")
        out.stdout.write(top_help(groups) + "\n")
        return EXIT_OK
    if first in ("--version", "-v"):
        out.stdout.write(IMPT_VERSION + "\n")
        return EXIT_OK
    if first == "completion":
        from impt.completion import run_completion

        return run_completion(tokens[1:], out)
    module = commands.load_group(first)
    if module is None:
        raise UsageError(f"Unknown argument: {first}")
    rest = tokens[1:]
    if not rest or rest[0].startswith("-"):
        from impt.help import group_help

        usage = group_help(first, commands.GROUP_DESCRIPTIONS[first], module.COMMANDS)
        if wants_help(rest):
            out.stdout.write(usage + "\n")
            return EXIT_OK
        out.dialog(usage)  # yargs prints the group's usage, then the error
        raise UsageError("Please specify a valid command.")
    command = next((c for c in module.COMMANDS if c.name == rest[0]), None)
    if command is None:
        raise UsageError(f"Unknown argument: {rest[0]}")
    if wants_help(rest[1:]):
        from impt.help import command_help

        out.stdout.write(command_help(command) + "\n")
        return EXIT_OK
    args = parse(command, rest[1:])
    from pathlib import Path

    from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.cancel import DeferredInterrupt

    from impt.context import Context, waits

    home = Path(env.get("HOME") or os.path.expanduser("~"))
    # Ctrl-C stops a command at once, except during a write: that one gets its answer, then the command stops.
    interrupts = DeferredInterrupt(lambda text: _note(out, text))
    ctx = Context(
        args,
        out,
        terminal,
        env=env,
        cwd=Path(cwd),
        home=home,
        waits=waits(command.group, command.name, args),
        interrupts=interrupts,
    )
    ctx_holder.append(ctx)
    with interrupts.installed():
        command.run(ctx)
    out.finish(True)
    return EXIT_OK


def _note(out: Output, text: str) -> None:
    """A line on stderr from the Ctrl-C handler (never an error of its own: it runs between two statements)."""
    try:
        out.stderr.write(text + "\n")
        out.stderr.flush()
    except (OSError, RuntimeError, ValueError):
        pass


def translate(exc: BaseException, ctx: Context | None) -> ImptError:
    """Any exception → an ImptError with impt's wording (the client's errors module is imported only now)."""
    if isinstance(exc, ImptError):
        return exc
    from ansible_collections.electricimp.impcentral.plugins.module_utils.common import errors as client

    if isinstance(exc, client.TransportError):
        # impt's phrase first (scripts match it), then which endpoint and what happened.
        return NetworkError(f"{ACCESS_FAILED} ({exc})")
    if isinstance(exc, client.MfaRequiredError):
        return AuthError("Multi-factor authentication is enabled: a one-time password is required.")
    url = str(getattr(exc, "url", "") or "").rstrip("/")
    at_login = url.endswith(("/auth/token", "/auth"))
    # An unknown login key is a 404 of POST /auth/token: a failed login, not a missing entity.
    if isinstance(exc, client.AuthenticationError) or (at_login and isinstance(exc, client.NotFoundError)):
        source = ctx.auth_source if ctx else None
        if source is not None and source.path is not None and at_login:
            return AuthError(f"Impossible to refresh access token for the {source.file_label}.", tail=[source.relogin])
        return AuthError(str(exc))
    if isinstance(exc, client.InvalidIdentifierError):
        return UsageError(str(exc))
    if isinstance(exc, client.IdentificationError):
        return NotFoundError(str(exc))
    if isinstance(exc, (client.RateLimitError, client.ServerError)):  # still failing after every retry
        return NetworkError(str(exc))
    if isinstance(exc, client.ImpCentralError):
        error_class = NotFoundError if isinstance(exc, client.NotFoundError) else ImptError
        return error_class(str(exc), tail=_compile_errors(exc))
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        return ImptError(f"File error: {exc.filename}: {exc.strerror}.")
    error = ImptError(f"internal error: {exc}")
    error.exit_code = EXIT_FAILED
    error.internal = True  # a bug, not a user's mistake: debug mode shows where it happened
    return error


def _compile_errors(exc: BaseException) -> list[str]:
    """`<file> <type> (line r, column c): <text>` for each compile error the API attached."""
    lines = []
    for entry in getattr(exc, "errors", None) or []:
        meta = entry.get("meta") if isinstance(entry, dict) else None
        for item in meta if isinstance(meta, list) else []:
            if isinstance(item, dict) and "text" in item:
                where = f"{item.get('file')} {item.get('type')} (line {item.get('row')}, column {item.get('column')})"
                lines.append(f"{where}: {item['text']}")
    return lines
