"""A small subset of Electric Imp's Builder preprocessor for `test run`.

Supported: `@{name}` substitution from the Builder variables file and `@include "relative/path"` of local
files (nested, relative to the including file). Anything else starting with `@` at a line start, GitHub
or URL includes, is refused with a clear error rather than deployed unprocessed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from impt.errors import ImptError

_VARIABLE = re.compile(r"@\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")
_INCLUDE = re.compile(r"""^\s*@include\s+(?:once\s+)?(["'])(.+?)\1\s*$""")
_DIRECTIVE = re.compile(r"^\s*@(if|elseif|else|endif|set|macro|end|error|warning)\b")
_MAX_DEPTH = 16


def preprocess(text: str, origin: Path, variables: dict[str, Any], depth: int = 0) -> str:
    """The source with includes inlined and variables substituted."""
    if depth > _MAX_DEPTH:
        raise ImptError(f"Builder: includes nested too deeply at {origin}.")
    lines = []
    for line in text.split("\n"):
        include = _INCLUDE.match(line)
        if include:
            lines.append(_include(include.group(2), origin, variables, depth))
            continue
        if _DIRECTIVE.match(line):
            raise ImptError(f"Builder: directive not supported by impt: {line.strip()} ({origin.name}).")
        lines.append(_VARIABLE.sub(lambda m: _value(m.group(1), variables, origin), line))
    return "\n".join(lines)


def _include(target: str, origin: Path, variables: dict[str, Any], depth: int) -> str:
    if ":" in target.split("/", maxsplit=1)[0] or target.startswith(("http://", "https://", "github")):
        raise ImptError(f'Builder: only local includes are supported by impt, not "{target}".')
    path = (origin.parent / target).resolve()
    try:
        included = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImptError(f'Builder: included file "{target}" is not found.') from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ImptError(f"File error: {path}: {reason}.") from None
    return preprocess(included, path, variables, depth + 1)


def _value(name: str, variables: dict[str, Any], origin: Path) -> str:
    if name not in variables:
        raise ImptError(f'Builder: variable "{name}" is not defined ({origin.name}).')
    value = variables[name]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
