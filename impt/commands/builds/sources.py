"""Source files for builds: which files to read (options, else the project file) and their size limit."""

from __future__ import annotations

from impt.context import Context
from impt.errors import ImptError

MAX_CODE_BYTES = 4 * 1024 * 1024  # impCentral accepts at most 4 MiB per code field


def read_sources(ctx: Context) -> tuple[str, str]:
    """Device and agent code for deploy/run; a missing option means the project's file, else empty code."""
    return _read_source(ctx, "device"), _read_source(ctx, "agent")


def _read_source(ctx: Context, which: str) -> str:
    option = f"{which}-file"
    name = getattr(ctx.args, f"{which}_file")
    if name is None and ctx.project is not None:
        name = ctx.project.get("deviceFile" if which == "device" else "agentFile")
    if not name:
        ctx.out.info(f"--{option} option is not specified, empty {which} code will be deployed.")
        return ""
    path = ctx.path(name)
    if not path.is_file():
        raise ImptError(f'File with IMP {which} source code "{name}" is not found.')
    size = path.stat().st_size
    if size > MAX_CODE_BYTES:
        raise ImptError(f'File "{name}" is too large: {size} bytes; impCentral accepts at most 4 MiB of {which} code.')
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImptError(f"File error: {name}: {exc}.") from None


def target_files(ctx: Context) -> list[tuple[str, str]]:
    """(which, file name) pairs `build get` writes, from options or the project file."""
    args = ctx.args
    project = ctx.project or {}
    wanted = []
    if not args.agent_only:
        wanted.append(("device", args.device_file or project.get("deviceFile")))
    if not args.device_only:
        wanted.append(("agent", args.agent_file or project.get("agentFile")))
    for which, name in wanted:
        if not name:
            raise ImptError(f'Option "--{which}-file" must be specified.')
    return wanted
