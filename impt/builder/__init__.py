"""Electric Imp's Builder preprocessor, as `impt test run` uses it (impt 2.6 runs Builder 4.2.1).

The whole language of Builder's README: expressions, `@{...}`, `@set`, `@macro`, `@include [once]`
(local files, HTTP(S) URLs, `github:owner/repo/path@ref`), `@while`, `@repeat`, `@if`/`@elseif`/`@else`,
`@error`, `@warning`, filters, comments, the `__LINE__`/`__FILE__`/`__PATH__`/... variables and
functions, and the `#line <n> "<file>"` statements impt asks for, which `locate()` maps back.

    build = Builder(variables, base_dir=cwd, github=("user", "token"), cache=True)
    code = build.file(Path("tests/x.test.nut"))   # or build.text(generated, "name", line_control=True)
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

from impt.builder.machine import BuildError, Machine, locate, render
from impt.builder.readers import CACHE_DIR, Cache, RemoteReader, Source, local_source
from impt.errors import ImptError

__all__ = ["CACHE_DIR", "BuildError", "Builder", "BuilderError", "clear_cache", "locate", "preprocess"]


class BuilderError(ImptError):
    """A Builder failure as impt reports it: one line naming file, line and directive."""


class Builder:
    """A configured preprocessor; each `text`/`file` call is one build with fresh `@set` variables."""

    def __init__(
        self,
        variables: dict | None = None,
        base_dir: Path | None = None,
        *,
        github: tuple[str, str] | None = None,
        cache: bool = False,
        environ: dict | None = None,
        warn: Callable[[str], None] | None = None,
        clock: Callable[[], float] | None = None,
        session: Any = None,
    ) -> None:
        self.variables = dict(variables or {})
        self.base_dir = (base_dir or Path.cwd()).resolve()
        cache_store = None
        if cache:
            cache_store = Cache(self.base_dir / CACHE_DIR, clock) if clock else Cache(self.base_dir / CACHE_DIR)
        self.reader = RemoteReader(github or None, cache_store, session)
        self.environ = environ
        self.warn = warn
        self.warnings: list[str] = []

    def text(self, text: str, origin: Path | str, line_control: bool = False) -> str:
        """`text` processed as if it were the file `origin` (a Path, or a name for generated code)."""
        if isinstance(origin, Path):
            path = origin if origin.is_absolute() else self.base_dir / origin
            source = local_source(path, _shown(path, self.base_dir))
            search = [path.resolve().parent, self.base_dir]
        else:
            source = Source(origin, origin, "local", {"__FILE__": origin, "__PATH__": str(self.base_dir)})
            search = [self.base_dir]
        machine = Machine(self.variables, self.environ, self.reader, _unique(search), self.warn)
        try:
            chunks = machine.run(text, source)
        except BuildError as exc:
            raise BuilderError(str(exc)) from None
        finally:
            self.warnings.extend(machine.warnings)
        return render(chunks, line_control)

    def file(self, path: Path, line_control: bool = False) -> str:
        """The file at `path` processed; an unreadable file is a BuilderError."""
        full = path if path.is_absolute() else self.base_dir / path
        try:
            text = full.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise BuilderError(f"File error: {_shown(full, self.base_dir)}: {reason}.") from None
        return self.text(text, full, line_control)


def preprocess(
    text: str,
    origin: Path,
    variables: dict[str, Any],
    *,
    line_control: bool = False,
    github: tuple[str, str] | None = None,
    cache: bool = False,
    environ: dict | None = None,
    warn: Callable[[str], None] | None = None,
) -> str:
    """`text` (read from `origin`) through Builder with impt's Builder variables; includes resolve from there."""
    builder = Builder(variables, origin.parent, github=github, cache=cache, environ=environ, warn=warn)
    return builder.text(text, origin, line_control)


def clear_cache(base_dir: Path) -> bool:
    """`--clear-cache`: remove `.builder-cache` under `base_dir`; True when there was one."""
    directory = base_dir / CACHE_DIR
    if not directory.exists():
        return False
    shutil.rmtree(directory, ignore_errors=True)
    return True


def _shown(path: Path, base: Path) -> str:
    resolved = path.resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return str(resolved)


def _unique(paths: list[Path]) -> list[Path]:
    seen: list[Path] = []
    for path in paths:
        if path not in seen:
            seen.append(path)
    return seen
