"""Electric Imp's Builder preprocessor as Builder 4.2.1 runs it (the version impt 2.6.1 uses), for
`impt test run` and `pleasebuild` (cli.py); tests/unit/builder/test_differential.py holds it to Builder 4.2.1.

The whole language of Builder's README: expressions, `@{...}`, `@set`, `@macro`, `@include [once]`
(local files, HTTP(S) URLs, `github:owner/repo/path@ref`), `@while`, `@repeat`, `@if`/`@elseif`/`@else`,
`@error`, `@warning`, filters, comments, the `__LINE__`/`__FILE__`/`__PATH__`/... variables and
functions, and the `#line <n> "<file>"` statements impt asks for, which `locate()` maps back.

    build = Builder(variables, base_dir=cwd, github=("user", "token"), cache=True)
    code = build.file(Path("tests/x.test.nut"))   # or build.text(generated, "name", line_control=True)
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any, Callable

from impt.builder.machine import BuildError, BuildWarning, Machine, locate, render
from impt.builder.readers import CACHE_DIR, EXCLUDE_LIST, Cache, RemoteReader
from impt.errors import ImptError

BUILDER_EXCLUDE = "builder-cache.exclude"  # Builder 4.2.1's default exclude list; its README names EXCLUDE_LIST

__all__ = ["CACHE_DIR", "BuildError", "Builder", "BuilderError", "clear_cache", "locate", "preprocess"]


class BuilderError(ImptError):
    """A Builder failure as impt reports it: one line naming file, line and directive."""


class Builder:
    """A configured preprocessor; each `text`/`file`/`include` call is one build with fresh `@set` variables."""

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
        remote_relative_includes: bool = False,
        warn_duplicates: bool = True,
        libraries: dict | None = None,
        exclude_list: Path | None = None,
    ) -> None:
        self.variables = dict(variables or {})
        self.base_dir = (base_dir or Path.cwd()).resolve()
        cache_store = None
        if cache:
            exclude = exclude_list or next(
                (path for path in (self.base_dir / BUILDER_EXCLUDE, self.base_dir / EXCLUDE_LIST) if path.is_file()),
                None,
            )
            cache_store = Cache(self.base_dir / CACHE_DIR, clock or time.time, exclude=exclude)
        self.reader = RemoteReader(github or None, cache_store, session)
        self.environ = dict(os.environ if environ is None else environ)
        self.options = {"remote_relative": remote_relative_includes, "warn_duplicates": warn_duplicates}
        self.libraries = dict(libraries or {})
        self.warn = warn
        self.warnings: list[str] = []
        self.build_warnings: list[BuildWarning] = []

    def text(self, text: str, origin: Path | str, line_control: bool = False) -> str:
        """`text` processed as if it were the file `origin` (a Path, or a name for generated code).

        With `line_control`, impt's precise `#line` statements (wherever the output leaves its source)."""
        if isinstance(origin, Path):
            path = origin if origin.is_absolute() else self.base_dir / origin
            file, folder, label = path.name, str(path.resolve().parent), _shown(path, self.base_dir)
            input_dir = path.resolve().parent
        else:
            file, folder, label, input_dir = origin, str(self.base_dir), origin, None
        machine = self._machine(input_dir, "precise" if line_control else None)
        return render(self._run(machine, text, file, folder, label), line_control)

    def file(self, path: Path, line_control: bool = False) -> str:
        """The file at `path` processed; an unreadable file is a BuilderError."""
        full = path if path.is_absolute() else self.base_dir / path
        try:
            text = full.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise BuilderError(f"File error: {_shown(full, self.base_dir)}: {reason}.") from None
        return self.text(text, full, line_control)

    def include(self, input_file: str, line_control: bool = False) -> str:
        """What `pleasebuild [-l] <input_file>` prints: the file included from Builder's root `main`."""
        path = Path(input_file)
        input_dir = (path if path.is_absolute() else self.base_dir / path).resolve().parent
        machine = self._machine(input_dir, "builder" if line_control else None)
        root = '@include "' + input_file.replace('"', "'") + '"'
        return render(self._run(machine, root, "main", str(self.base_dir), "main"), False)

    def _machine(self, input_dir: Path | None, line_control: str | None) -> Machine:
        return Machine(
            self.variables,
            self.environ,
            self.reader,
            input_dir=input_dir,
            run_dir=self.base_dir,
            line_control=line_control,
            libraries=self.libraries,
            warn=self._warned,
            **self.options,
        )

    def _warned(self, warning: BuildWarning) -> None:
        self.build_warnings.append(warning)
        self.warnings.append(str(warning))
        if self.warn:
            self.warn(str(warning))

    def _run(self, machine: Machine, text: str, file: str, folder: str, label: str) -> list:
        try:
            return machine.run(text, file, folder, label)
        except BuildError as exc:
            raise BuilderError(str(exc)) from None


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
