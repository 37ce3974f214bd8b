"""`pleasebuild`: Builder 4.2.1's command line, so Builder users can preprocess files without Node.

    pleasebuild [-l] [-D<variable> <value>] [--github-token <token>] [--lib <path>]
        [--use-remote-relative-includes] [--suppress-duplicate-includes-warning]
        [--cache] [--clear-cache] [--cache-exclude-list <file>]
        [--save-dependencies [<file>]] [--use-dependencies [<file>]]
        [--save-directives [<file>]] [--use-directives [<file>]] <input_file>

Arguments are read as Builder reads them (any other word is the input file). The output goes to stdout;
warnings and the one-line error go to stderr, and an error exits 1. `--lib` takes Python files (see
docs/docsite/rst/impt.rst): a file's `exports` dict, else its public functions, join Builder's functions.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from impt.builder import Builder, BuilderError, clear_cache

USAGE = """Builder 4.2.1 CLI (pleasebuild of electricimp-impcentral)

usage:
\tpleasebuild [-l] [-D<variable> <value>]
\t\t[--github-token <token>] [--azure-user <username> --azure-token <token>]
\t\t[--bitbucket-server-addr <address>] [--bitbucket-server-user <username> --bitbucket-server-token <token>]
\t\t[--lib <path_to_file>] [--use-remote-relative-includes] [--suppress-duplicate-includes-warning]
\t\t[--cache] [--clear-cache] [--cache-exclude-list <path_to_file>]
\t\t[--save-dependencies [<path_to_file>]] [--use-dependencies [<path_to_file>]]
\t\t[--save-directives [<path_to_file>]] [--use-directives [<path_to_file>]] <input_file>

where:
\t-l - generates line control statements
\t-D<varname> <value> - defines a variable
\t--github-token <token> - a GitHub personal access token
\t--azure-user, --azure-token, --bitbucket-server-* - accepted; those repositories are not read (see the impt guide)
\t--lib <path_to_file> - include the specified Python file(s) as a library
\t--use-remote-relative-includes - interpret every local include as relative to the location of the source file
\t--suppress-duplicate-includes-warning - do not warn when the same content is included more than once
\t--cache - turn on caching for all files included from remote resources
\t--clear-cache - clear the cache before Builder starts running
\t--cache-exclude-list <path_to_file> - the file that lists resources which should not be cached
\t--save-dependencies [path_to_file] - save references to the required GitHub files in the specified file
\t--use-dependencies [path_to_file] - use the specified file to set which GitHub files are required
\t--save-directives [path_to_file] - save Builder variable definitions in the specified file
\t--use-directives [path_to_file] - use Builder variable definitions from the specified file
\t<input_file> - is the path to source file which should be preprocessed"""

_VALUE_OPTIONS = {
    "--github-token": "github_token",
    "--azure-user": "ignored",
    "--azure-token": "ignored",
    "--bitbucket-server-addr": "ignored",
    "--bitbucket-server-user": "ignored",
    "--bitbucket-server-token": "ignored",
    "--cache-exclude-list": "exclude_list",
}
_FILE_OPTIONS = {
    "--save-dependencies": ("save_dependencies", "dependencies.json"),
    "--use-dependencies": ("use_dependencies", "dependencies.json"),
    "--save-directives": ("save_directives", "directives.json"),
    "--use-directives": ("use_directives", "directives.json"),
}


class UsageError(Exception):
    """Bad arguments: usage is printed."""


@dataclass
class Arguments:
    defines: dict = field(default_factory=dict)
    line_control: bool = False
    cache: bool = False
    clear_cache: bool = False
    github_token: str = ""
    exclude_list: str = ""
    libs: list[str] = field(default_factory=list)
    remote_relative: bool = False
    suppress_duplicates: bool = False
    save_dependencies: str | None = None
    use_dependencies: str | None = None
    save_directives: str | None = None
    use_directives: str | None = None
    ignored: str = ""
    input: str | None = None


def parse_arguments(argv: list[str]) -> Arguments:
    """Builder's own reading: options in any order, an option's file is the next word unless it is an option."""
    args, words = Arguments(), list(argv)
    while words:
        word = words.pop(0)
        if word == "-l":
            args.line_control = True
        elif word in ("--cache", "-c"):
            args.cache = True
        elif word == "--clear-cache":
            args.clear_cache = True
        elif word.startswith("-D") and len(word) > 2:
            args.defines[word[2:]] = words.pop(0) if words else None
        elif word in ("--lib", "--libs"):
            args.libs.append(_value(word, words))
        elif word in _VALUE_OPTIONS:
            setattr(args, _VALUE_OPTIONS[word], _value(word, words))
        elif word in _FILE_OPTIONS:
            name, default = _FILE_OPTIONS[word]
            _value(word, words)  # Builder wants a following word even where the file is optional
            setattr(args, name, default if len(words) == 1 or words[0].startswith("-") else words.pop(0))
        elif word == "--use-remote-relative-includes":
            args.remote_relative = True
        elif word in ("--suppress-duplicate-includes-warning", "--suppress-duplicate"):
            args.suppress_duplicates = True
        else:
            args.input = word
    return args


def _value(option: str, words: list[str]) -> str:
    if not words:
        raise UsageError(f"Expected argument value after {option}")
    return words[0] if option in _FILE_OPTIONS else words.pop(0)


def load_libraries(paths: list[str], cwd: Path) -> dict[str, Any]:
    """Each --lib: a Python file, every `*.py` under a folder, or a glob; later files win, as in Builder."""
    merged: dict[str, Any] = {}
    for pattern in paths:
        if glob.has_magic(pattern):
            files = sorted(glob.glob(str(cwd / pattern), recursive=True))
        elif (cwd / pattern).is_dir():
            files = sorted(glob.glob(str(cwd / pattern / "**" / "*.py"), recursive=True))
        elif (cwd / pattern).is_file():
            files = [str(cwd / pattern)]
        else:
            raise BuilderError(f'lib path "{pattern}" is not a file or directory')
        for file in files:
            merged.update(_library(Path(file)))
    return merged


def _library(path: Path) -> dict[str, Any]:
    if path.suffix != ".py":
        raise BuilderError(f"{path}: pleasebuild libraries are Python files (Builder 4.2.1's are JavaScript)")
    spec = importlib.util.spec_from_file_location(f"pleasebuild_lib_{abs(hash(str(path)))}", path)
    if spec is None or spec.loader is None:
        raise BuilderError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the user's library: its failure is reported in one line
        raise BuilderError(f"{path}: {type(exc).__name__}: {exc}") from None
    exports = getattr(module, "exports", None)
    if isinstance(exports, dict):
        return dict(exports)
    return {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("_") and callable(value) and getattr(value, "__module__", None) == module.__name__
    }


def build(args: Arguments, cwd: Path, environ: dict, stderr: TextIO) -> str:
    """The preprocessed input (warnings written to `stderr` as they come); BuilderError on failure."""
    if args.clear_cache:
        clear_cache(cwd)
    defines = dict(args.defines)
    if args.use_directives:
        defines = {**_json_file(cwd / args.use_directives, "directives", dict), **defines}
    exclude = cwd / args.exclude_list if args.exclude_list else None
    if exclude is not None and not exclude.is_file():
        raise BuilderError(f"{args.exclude_list} file does not exist")
    builder = Builder(
        defines,
        cwd,
        github=("pleasebuild", args.github_token) if args.github_token else None,
        cache=args.cache and not args.save_dependencies,
        environ=environ,
        warn=None,
        remote_relative_includes=args.remote_relative,
        warn_duplicates=not args.suppress_duplicates,
        libraries=load_libraries(args.libs, cwd),
        exclude_list=exclude,
    )
    if args.use_dependencies:
        builder.reader.pins = dict(_json_file(cwd / args.use_dependencies, "dependencies", list))
    if args.save_dependencies:
        builder.reader.blobs = {}
    builder.warn = lambda _text: _print_warning(builder, stderr)
    assert args.input is not None
    output = builder.include(args.input, line_control=args.line_control)
    if args.save_dependencies:
        _write_json(cwd / args.save_dependencies, [[key, sha] for key, sha in (builder.reader.blobs or {}).items()])
    if args.save_directives:
        _write_json(cwd / args.save_directives, defines)
    return output


def _print_warning(builder: Builder, stderr: TextIO) -> None:
    stderr.write(builder.build_warnings[-1].text + "\n")
    stderr.flush()


def _json_file(path: Path, what: str, kind: type) -> Any:
    if not path.is_file():
        raise BuilderError(f"The {what} JSON file '{path.name}' does not exist")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BuilderError(f"The {what} JSON file '{path.name}' cannot be used: {exc}") from None
    if not isinstance(data, kind) or (kind is list and not all(isinstance(i, list) and len(i) == 2 for i in data)):
        raise BuilderError(f"The {what} JSON file '{path.name}' cannot be used: unexpected content")
    return data


def _write_json(path: Path, data: Any) -> None:
    """Written atomically, as every file this project writes."""
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BuilderError(f"The {path.name} file cannot be saved: {exc.strerror or exc}") from None


def main(argv: list[str] | None = None) -> int:
    """The console script: stdout gets the code, stderr the warnings and the error; exit 0 or 1."""
    try:
        args = parse_arguments(sys.argv[1:] if argv is None else argv)
        if not args.input:
            raise UsageError("")
        output = build(args, Path.cwd(), dict(os.environ), sys.stderr)
    except UsageError as exc:
        if str(exc):
            sys.stderr.write(f"{exc}\n")
        else:
            sys.stdout.write(USAGE + "\n")
        return 1
    except BuilderError as exc:
        sys.stderr.write(f"{exc.message if hasattr(exc, 'message') else exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    sys.stdout.write(output)
    sys.stdout.flush()
    return 0
