"""Runs parsed Builder sources as Builder 4.2.1's machine does: context, includes, macros, loops, conditions.

Names resolve in Builder's order: the context (the `-D` definitions, the built-in functions, `__FILE__`,
`__PATH__`, `__LINE__`, macro parameters, `loop`), then the `@set` globals and macros, then the environment.
A macro sees its caller's context plus its parameters. `@include once` skips a path already included
or a file whose content was. Output is collected as chunks that remember their file and line, so impt's
precise line control (`locate()` maps a row back) and Builder's own `-l` statements can both be written.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin

from impt.builder import jsvalues as js
from impt.builder import readers
from impt.builder.expressions import ContextFunction, ExpressionError, Scope, evaluate, parse
from impt.builder.functions import FUNCTIONS
from impt.builder.readers import ReadError, RemoteReader
from impt.builder.source import Conditional, Loop, Macro, Output, SourceError, Statement, parse_source

MAX_DEPTH = 256  # Builder's maximum nesting of executed blocks
MAX_LOOP = 100_000  # Builder has none (an endless @while never ends); ours stops with an error
LABEL, SOURCE = " label", " source"  # context keys no expression can name: our file label, the Source
_PROTOCOL = re.compile(r"^[a-zA-Z0-9.+-]+:")
_LINE_CONTROL = re.compile(r'^#line (\d+) "(.*)"\s*$')


class BuildError(Exception):
    """A Builder error as one line naming the file, the line and the directive."""

    def __init__(self, label: str, line: Any, directive: str, message: str) -> None:
        super().__init__(f"Builder: {label}:{line}: {directive}: {message}")
        self.label = label
        self.line = line
        self.directive = directive
        self.message = message


@dataclass
class Chunk:
    text: str
    label: str | None  # None: text with no source line (inline macros, include(), line control statements)
    line: int


@dataclass
class BuildWarning:
    """`@warning` (label, line and text) or Builder's duplicated-include warning (`duplicate` set)."""

    text: str
    label: str
    line: int
    duplicate: bool = False

    def __str__(self) -> str:
        return self.text if self.duplicate else f"{self.label}:{self.line}: {self.text}"


@dataclass
class _MacroDefinition:
    params: list[str]
    body: list
    file: Any
    path: Any
    line: int
    label: str
    source: Any


class _MacroFunction(ContextFunction):
    def __init__(self, machine: Machine, name: str) -> None:
        self.machine, self.name = machine, name

    def call(self, context: dict, args: list) -> str:
        chunks: list[Chunk] = []
        inline = {**context, "globals": self.machine.globals, "__INLINE__": True}
        self.machine.expand_macro(self.name, args, inline, chunks)
        return _joined(chunks)


class _IncludeFunction(ContextFunction):
    def __init__(self, machine: Machine) -> None:
        self.machine = machine

    def call(self, context: dict, args: list) -> str:
        if not args:
            raise ExpressionError("Wrong number of arguments for include()")
        if not isinstance(args[0], str):
            raise ExpressionError("source.replace is not a function")
        chunks: list[Chunk] = []
        inline = {**context, "globals": self.machine.globals, "__INLINE__": True}
        self.machine.include_source(args[0], inline, chunks, once=False, evaluated=True)
        return _joined(chunks)


def _joined(chunks: list[Chunk]) -> str:
    """Inline output: the last chunk loses one trailing newline, as Builder trims it."""
    if chunks:
        last = chunks[-1]
        last.text = last.text[:-2] if last.text.endswith("\r\n") else last.text.removesuffix("\n")
    return "".join(chunk.text for chunk in chunks)


class Machine:
    """One configured machine; each `run` is one build with fresh `@set` globals, macros and includes."""

    def __init__(
        self,
        definitions: dict | None = None,
        environ: dict | None = None,
        reader: RemoteReader | None = None,
        *,
        input_dir: Path | None = None,
        run_dir: Path | None = None,
        line_control: str | None = None,  # None, "builder" (Builder's -l) or "precise" (impt's)
        remote_relative: bool = False,
        warn_duplicates: bool = True,
        libraries: dict | None = None,
        warn: Callable[[BuildWarning], None] | None = None,
    ) -> None:
        self.definitions = dict(definitions or {})
        self.environ = dict(environ or {})
        self.reader = reader or RemoteReader()
        self.input_dir = input_dir
        self.run_dir = (run_dir or Path.cwd()).resolve()
        self.line_control = line_control
        self.remote_relative = remote_relative
        self.warn_duplicates = warn_duplicates
        self.libraries = dict(libraries or {})
        self.warn = warn
        self.warnings: list[BuildWarning] = []
        self.globals: dict = {}
        self.macros: dict[str, _MacroDefinition] = {}

    def run(self, text: str, file: str, path: str, label: str) -> list[Chunk]:
        """The output chunks of `text` processed as the file `file` in folder `path` (shown as `label`)."""
        self.globals, self.macros, self.depth, self.last_file = {}, {}, 0, None
        self.included: set[str] = set()
        self.hashes: dict[str, tuple[str, Any, Any]] = {}
        context = {"__FILE__": file, "__PATH__": path, "include": _IncludeFunction(self), **FUNCTIONS}
        context.update(self.libraries)
        context.update(self.definitions)
        context.update({LABEL: label, SOURCE: None})
        tree = self._parse(text, label)
        chunks: list[Chunk] = []
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20_000))  # 256 nested blocks, each a few Python frames deep
        try:
            self._execute(tree, context, chunks)
        finally:
            sys.setrecursionlimit(limit)
        return chunks

    # ---- execution ----

    def _parse(self, text: str, label: str) -> list:
        try:
            return parse_source(text)
        except SourceError as exc:
            raise BuildError(label, exc.line, exc.directive, exc.message) from None

    def _execute(self, nodes: list, context: dict, out: list[Chunk]) -> None:
        if self.depth == MAX_DEPTH:
            raise self._fail(context, "@include", "Maximum execution depth reached, possible cyclic reference?")
        self.depth += 1
        for node in nodes:
            context = {**context, "__LINE__": node.line}
            try:
                self._instruction(node, context, out)
            except ExpressionError as exc:
                raise self._fail(context, _directive(node), str(exc)) from None
        self.depth -= 1

    def _fail(self, context: dict, directive: str, message: str) -> BuildError:
        return BuildError(context[LABEL], context.get("__LINE__"), directive, message)

    def _instruction(self, node: Any, context: dict, out: list[Chunk]) -> None:
        if isinstance(node, Output):
            self._out(node.text if node.literal else js.to_string(self._eval(node.text, context)), context, out)
        elif isinstance(node, Statement):
            self._statement(node, context, out)
        elif isinstance(node, Conditional):
            self._conditional(node, context, out)
        elif isinstance(node, Loop):
            self._loop(node, context, out)
        else:
            self._declare(node, context)

    def _eval(self, text: str, context: dict) -> Any:
        return evaluate(_parsed(text), Scope(context, self.globals, self.environ))

    def _statement(self, node: Statement, context: dict, out: list[Chunk]) -> None:
        if node.name == "set":
            self.globals[node.target] = self._eval(node.expr, context)
        elif node.name == "error":
            raise self._fail(context, "@error", js.to_string(self._eval(node.expr, context)))
        elif node.name == "warning":
            warning = BuildWarning(js.to_string(self._eval(node.expr, context)), context[LABEL], node.line)
            self._warn(warning)
        else:
            call = _macro_call(node.expr, self.macros)
            if call is not None:  # a macro: always included, even with `once`
                scope = Scope(context, self.globals, self.environ)
                self.expand_macro(call[0], [evaluate(arg, scope) for arg in call[1]], context, out)
            else:
                self.include_source(node.expr, context, out, once=node.once)

    def _warn(self, warning: BuildWarning) -> None:
        self.warnings.append(warning)
        if self.warn:
            self.warn(warning)

    def _conditional(self, node: Conditional, context: dict, out: list[Chunk]) -> None:
        if js.truthy(self._eval(node.test, context)):
            self._execute(node.consequent, context, out)
            return
        for branch in node.elseifs:  # evaluated in the @if's context (its line, as Builder reports)
            if js.truthy(self._eval(branch.test, context)):
                self._execute(branch.consequent, context, out)
                return
        if node.alternate is not None:
            self._execute(node.alternate, context, out)

    def _loop(self, node: Loop, context: dict, out: list[Chunk]) -> None:
        index = 0
        while True:
            test = self._eval(node.expr, context)
            if node.name == "while" and not js.truthy(test):
                break
            if node.name == "repeat":
                if js.is_number(test) and test == index:
                    break
                if not (js.is_number(test) and float(test).is_integer() and test > index):
                    raise ExpressionError(
                        f"{js.to_string(test)} is not a whole number of times from {index} on "
                        "(Builder 4.2.1 would repeat forever)"
                    )
            if index >= MAX_LOOP:
                raise ExpressionError(f"stopped after {MAX_LOOP} iterations (Builder 4.2.1 would loop forever)")
            self._execute(node.body, {**context, "loop": {"index": index, "iteration": index + 1}}, out)
            index += 1

    def _declare(self, node: Macro, context: dict) -> None:
        tree = _parsed(node.declaration)
        if tree[0] != "call" or tree[1][0] != "id" or any(arg is None or arg[0] != "id" for arg in tree[2]):
            raise ExpressionError("Syntax error in macro declaration")
        name = tree[1][1]
        known = self.macros.get(name)
        if known is not None:
            raise ExpressionError(f'Macro "{name}" is already declared in {js.to_string(known.file)}:{known.line}')
        self.macros[name] = _MacroDefinition(
            [arg[1] for arg in tree[2]],
            node.body,
            context.get("__FILE__"),
            context.get("__PATH__"),
            node.line,
            context[LABEL],
            context[SOURCE],
        )
        self.globals[name] = _MacroFunction(self, name)

    def expand_macro(self, name: str, args: list, context: dict, out: list[Chunk]) -> None:
        """Missing arguments stay undefined (a caller's variable of that name shows through); extras are dropped."""
        macro = self.macros[name]
        scope = dict(zip(macro.params, args, strict=False))
        scope.update({"__FILE__": macro.file, "__PATH__": macro.path, LABEL: macro.label, SOURCE: macro.source})
        self._execute(macro.body, {**context, **scope}, out)

    def _out(self, text: str, context: dict, out: list[Chunk]) -> None:
        inline = js.truthy(context.get("__INLINE__"))
        if self.line_control == "builder" and not inline and not js.strictly_equal(self.last_file, context["__FILE__"]):
            folder, file = js.to_string(context["__PATH__"]), js.to_string(context["__FILE__"])
            shown = f"{folder}/{file}" if _PROTOCOL.match(folder) else posixpath.normpath(posixpath.join(folder, file))
            out.append(Chunk(f'#line {context["__LINE__"]} "{shown.replace(chr(34), chr(92) + chr(34))}"\n', None, 0))
            self.last_file = context["__FILE__"]
        out.append(Chunk(text, None if inline else context[LABEL], context["__LINE__"]))

    # ---- includes ----

    def include_source(self, reference: str, context: dict, out: list[Chunk], *, once: bool, evaluated: bool = False):
        reference = reference.replace("\\", "/")
        target = reference if evaluated else self._eval(reference, context)
        if not isinstance(target, str):
            expected = "a file name, a URL or a macro call is expected"
            raise ExpressionError(f"cannot include {js.to_string(target)}: {expected}")
        target = target.strip(js.JS_SPACE)
        if self.remote_relative:
            target = self._remote_relative(target, context)
        if once and target in self.included:
            return
        source, text = self._read(target, context)
        if text and not text.endswith("\n"):
            text += "\n"
        digest = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
        if once and digest in self.hashes:
            self.included.add(target)
            return
        if self.warn_duplicates and digest in self.hashes:
            self._warn(_duplicate_warning(self.hashes[digest], (target, context.get("__FILE__"), context["__LINE__"])))
        self.hashes[digest] = (target, context.get("__FILE__"), context["__LINE__"])
        tree = self._parse(text, source.label)
        self.included.add(target)
        self._execute(tree, {**context, **source.variables, LABEL: source.label, SOURCE: source}, out)

    def _read(self, target: str, context: dict) -> tuple[readers.Source, str]:
        if not readers.is_remote(target):
            return self._local(target, context)
        source = readers.remote_source(target)
        try:
            return source, self.reader.read(source)
        except ReadError as exc:
            raise ExpressionError(f'cannot include "{target}": {exc}') from None

    def _local(self, target: str, context: dict) -> tuple[readers.Source, str]:
        """Builder's search: the including file's folder, the input file's folder, then the run folder."""
        if posixpath.isabs(target):
            folders = [""]
        else:
            folders = [js.to_string(context.get("__PATH__")), self.input_dir, self.run_dir]
        for folder in dict.fromkeys(str(f) for f in folders if f is not None):
            candidate = posixpath.normpath(posixpath.join(folder, target))
            path = Path(candidate) if posixpath.isabs(candidate) else self.run_dir / candidate
            if path.exists():
                try:
                    text = path.read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                    raise ExpressionError(f'cannot read "{target}": {reason}') from None
                variables = {"__FILE__": posixpath.basename(target), "__PATH__": str(path.parent.resolve())}
                return readers.Source(str(path.resolve()), self._label(path), "local", variables, path), text
        raise ExpressionError(f'Local file "{posixpath.normpath(target)}" not found')

    def _label(self, path: Path) -> str:
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.run_dir).as_posix()
        except ValueError:
            return str(resolved)

    def _remote_relative(self, target: str, context: dict) -> str:
        """`--use-remote-relative-includes`: relative (and `/`-rooted) paths in remote files stay remote."""
        prefix, ref, root = context.get("__REPO_PREFIX__"), context.get("__REPO_REF__"), context.get("__URL_ROOT__")

        def with_ref(reference: str) -> str:
            return f"{reference}@{ref}" if isinstance(ref, str) and ref and "@" not in reference else reference

        if target.startswith("/") and isinstance(prefix, str) and prefix:
            return with_ref(_repository_join(prefix, target))
        if target.startswith("/") and isinstance(root, str) and root:
            return urljoin(root, target)
        if posixpath.isabs(target) or target.lower().startswith(("http:", "https:")):
            return target
        if target.startswith("github:"):
            parsed = readers.remote_source(target).variables
            same = parsed.get("__REPO_PREFIX__") == prefix and not parsed.get("__REPO_REF__")
            return with_ref(target) if same else target
        folder = context.get("__PATH__")
        if isinstance(folder, str) and folder.startswith("github:"):
            return with_ref(_repository_join(folder, target))
        if isinstance(root, str) and root:
            url_path = js.to_string(context.get("__URL_PATH__"))
            return urljoin(root + "/", posixpath.join(posixpath.dirname(url_path), target))
        return target


def _repository_join(prefix: str, target: str) -> str:
    """`github:owner/repo/dir` joined with a path as Node's path.join does (a leading `/` does not restart)."""
    scheme, _, rest = prefix.partition(":")
    return f"{scheme}:{posixpath.normpath(rest + '/' + target)}"


def _duplicate_warning(first: tuple, second: tuple) -> BuildWarning:
    text = (
        "Warning: duplicated includes detected! The same exact file content is included from\n"
        f"    {js.to_string(first[1])}:{first[2]} ({first[0]})\n"
        f"    {js.to_string(second[1])}:{second[2]} ({second[0]})"
    )
    return BuildWarning(text, "", 0, duplicate=True)


_PARSED: dict[str, Any] = {}


def _parsed(text: str) -> Any:
    """Expressions parse when they run (as Builder's do) and are kept, so loops parse each once."""
    tree = _PARSED.get(text)
    if tree is None:
        tree = parse(text)
        if len(_PARSED) > 10_000:
            _PARSED.clear()
        _PARSED[text] = tree
    return tree


def _macro_call(text: str, macros: dict) -> tuple[str, list] | None:
    try:
        tree = _parsed(text)
    except ExpressionError:
        return None
    if tree[0] == "call" and tree[1][0] == "id" and tree[1][1] in macros:
        return tree[1][1], tree[2]
    return None


def _directive(node: Any) -> str:
    if isinstance(node, Output):
        return "@{...}"
    if isinstance(node, Statement):
        return "@" + node.name + (" once" if node.once else "")
    if isinstance(node, Conditional):
        return "@if"
    if isinstance(node, Loop):
        return "@" + node.name
    return "@macro"


def render(chunks: list[Chunk], line_control: bool) -> str:
    """The generated code; with line control, a `#line` statement before each row that does not continue
    its source where the previous row left it (a row belongs to its first chunk that has a source line)."""
    if not line_control:
        return "".join(chunk.text for chunk in chunks)
    rows: list[list] = [["", None]]  # [text, (label, line) or None]
    for chunk in chunks:
        for piece in chunk.text.splitlines(keepends=True):
            row = rows[-1]
            row[0] += piece
            if row[1] is None and chunk.label is not None:
                row[1] = (chunk.label, chunk.line)
            if piece.endswith(("\n", "\r")):
                rows.append(["", None])
    lines: list[str] = []
    expected: tuple[str, int] | None = None
    for text, key in rows:
        if key is not None and key != expected:
            lines.append(f'#line {key[1]} "{key[0]}"\n')
        lines.append(text)
        expected = (key[0], key[1] + 1) if key is not None else None
    return "".join(lines)


def locate(code: str, row: int) -> tuple[str, int] | None:
    """The user's (file, line) behind row `row` (1-based) of code generated with line control, if known."""
    found: tuple[str, int] | None = None
    for number, line in enumerate(code.split("\n")[:row], 1):
        match = _LINE_CONTROL.match(line)
        if match:
            found = (match.group(2), int(match.group(1)) - number - 1)
    if found is None:
        return None
    lines = code.split("\n")
    if row <= len(lines) and _LINE_CONTROL.match(lines[row - 1]):
        return locate(code, row + 1)
    return found[0], found[1] + row
