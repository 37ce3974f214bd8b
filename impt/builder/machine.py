"""Runs parsed Builder sources: variables, macros, includes, loops, conditions and line control.

Output is collected as chunks that remember the file and line they came from, so the line control
statements (`#line <n> "<file>"`) are written exactly where the generated text stops following its
source, and `locate()` can map a row of the generated code back to the user's file and line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from impt.builder import readers
from impt.builder.expressions import UNDEFINED, ExpressionError, Scope, evaluate, to_number, to_string, truthy
from impt.builder.functions import FUNCTIONS
from impt.builder.readers import ReadError, RemoteReader, Source
from impt.builder.source import Block, Expr, Macro, SourceError, Statement, Text, parse_source

MAX_DEPTH = 32
MAX_LOOP = 10000
_LINE_CONTROL = re.compile(r'^#line (\d+) "(.*)"\s*$')


class BuildError(Exception):
    """A Builder error as one line naming the file, the line and the directive."""

    def __init__(self, label: str, line: int, directive: str, message: str) -> None:
        super().__init__(f"Builder: {label}:{line}: {directive}: {message}")
        self.label = label
        self.line = line
        self.directive = directive


@dataclass
class Chunk:
    text: str
    label: str | None  # None: generated text with no source line (e.g. an inline macro's output)
    line: int


@dataclass
class Frame:
    """One source being processed: where it is, its own variables, and the macro/loop variables in scope."""

    source: Source
    locals: dict
    line: int = 0


class Machine(Scope):
    """One build: the definitions (`-D`, i.e. impt's Builder variables), `@set` globals, the environment."""

    def __init__(
        self,
        definitions: dict | None = None,
        environ: dict | None = None,
        reader: RemoteReader | None = None,
        search_dirs: list[Path] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.definitions = dict(definitions or {})
        self.globals: dict = {}
        self.environ = dict(os.environ if environ is None else environ)
        self.reader = reader or RemoteReader()
        self.search_dirs = list(search_dirs or [])
        self.warnings: list[str] = []
        self.warn = warn
        self.macros: dict[str, Macro] = {}
        self.included: set[str] = set()
        self.frames: list[Frame] = []

    # ---- entry points ----

    def run(self, text: str, source: Source) -> list[Chunk]:
        """The output chunks of `text` processed as the file `source`."""
        self.included.add(source.key)
        chunks: list[Chunk] = []
        self._process(text, source, {}, chunks)
        return chunks

    # ---- Scope for the evaluator ----

    def lookup(self, name: str) -> Any:
        frame = self.frames[-1] if self.frames else None
        if frame is not None:
            if name in frame.locals:
                return frame.locals[name]
            if name == "__LINE__":
                return frame.line
            if name in frame.source.variables:
                return frame.source.variables[name]
        if name in ("__FILE__", "__PATH__", "__REPO_REF__", "__REPO_PREFIX__", "__URL_ROOT__", "__URL_PATH__"):
            return None
        if name == "include":
            return self._include_function
        if name in FUNCTIONS:
            return FUNCTIONS[name]
        for table in (self.definitions, self.globals):
            if name in table:
                return table[name]
        if name in self.macros:
            return self.macros[name]
        return self.environ.get(name, UNDEFINED)

    def is_macro(self, value: Any) -> bool:
        return isinstance(value, Macro)

    def call_macro(self, macro: Any, args: list) -> str:
        """A macro used inline: its text with trailing newlines trimmed, without line control."""
        chunks: list[Chunk] = []
        self._expand_macro(macro, args, chunks)
        return "".join(chunk.text for chunk in chunks).rstrip("\r\n")

    # ---- processing ----

    def _process(self, text: str, source: Source, locals_: dict, out: list[Chunk]) -> None:
        if len(self.frames) >= MAX_DEPTH:
            frame = self.frames[-1]
            raise BuildError(frame.source.label, frame.line, "@include", "includes are nested too deeply (a loop?)")
        try:
            tree = parse_source(text)
        except SourceError as exc:
            raise BuildError(source.label, exc.line, exc.directive, exc.message) from None
        self.frames.append(Frame(source, dict(locals_)))
        try:
            self._nodes(tree, out)
        finally:
            self.frames.pop()

    def _nodes(self, nodes: list, out: list[Chunk]) -> None:
        for node in nodes:
            self.frames[-1].line = node.line
            if isinstance(node, Text):
                self._text(node, out)
            elif isinstance(node, Statement):
                self._statement(node, out)
            elif isinstance(node, Block):
                self._block(node, out)
            elif isinstance(node, Macro):
                self._declare(node)

    def _declare(self, macro: Macro) -> None:
        known = self.macros.get(macro.name)
        if known is not None and known is not macro:
            where = f"{known.origin.label}:{known.line}" if isinstance(known.origin, Source) else f"line {known.line}"
            raise self._fail("@macro", f'macro "{macro.name}" is already declared at {where}')
        macro.origin = self.frames[-1].source
        self.macros[macro.name] = macro

    def _eval(self, expr: Any, directive: str) -> Any:
        try:
            return evaluate(expr.tree, self)
        except ExpressionError as exc:
            frame = self.frames[-1]
            raise BuildError(frame.source.label, frame.line, directive, str(exc)) from None

    def _fail(self, directive: str, message: str) -> BuildError:
        frame = self.frames[-1]
        return BuildError(frame.source.label, frame.line, directive, message)

    def _text(self, node: Text, out: list[Chunk]) -> None:
        pieces = []
        for part in node.parts:
            pieces.append(part if isinstance(part, str) else to_string(self._eval(part, "@{...}")))
        frame = self.frames[-1]
        out.append(Chunk("".join(pieces), frame.source.label, node.line))

    def _statement(self, node: Statement, out: list[Chunk]) -> None:
        directive = "@" + node.name + (" once" if node.once else "")
        if node.name == "set":
            self.globals[node.target] = self._eval(node.expr, directive)
        elif node.name == "error":
            raise self._fail(directive, to_string(self._eval(node.expr, directive)))
        elif node.name == "warning":
            frame = self.frames[-1]
            message = f"{frame.source.label}:{node.line}: {to_string(self._eval(node.expr, directive))}"
            self.warnings.append(message)
            if self.warn:
                self.warn(message)
        else:
            self._include(node, directive, out)

    def _include(self, node: Statement, directive: str, out: list[Chunk]) -> None:
        tree = node.expr.tree
        if tree[0] == "call" and tree[1][0] == "name" and isinstance(self.lookup(tree[1][1]), Macro):
            macro = self.macros[tree[1][1]]
            args = [self._eval(Expr("", argument), directive) for argument in tree[2]]
            self._expand_macro(macro, args, out)  # macros are always included, even with `once`
            return
        target = self._eval(node.expr, directive)
        if not isinstance(target, str) or not target:
            raise self._fail(directive, f"expects a file name, a URL or a macro call, not {to_string(target)}")
        source, text = self._read(target, directive)
        if node.once and source.key in self.included:
            return
        self.included.add(source.key)
        first = len(out)
        self._process(text, source, {}, out)
        if len(out) > first and not out[-1].text.endswith("\n"):
            out[-1].text += "\n"  # an included file without a final newline must not join the next line

    def _include_function(self, target: Any = None) -> str:
        """`include(source)` in an expression: the processed text of the source."""
        if not isinstance(target, str) or not target:
            raise ExpressionError("include() expects a file name or a URL")
        source, text = self._read(target, "include()")
        self.included.add(source.key)
        chunks: list[Chunk] = []
        self._process(text, source, {}, chunks)
        return "".join(chunk.text for chunk in chunks)

    def _read(self, target: str, directive: str) -> tuple[Source, str]:
        """The source `target` names, seen from the current file, and its text."""
        current = self.frames[-1].source
        shown = f'"{target}"'
        try:
            if readers.is_remote(target):
                source = readers.remote_source(target)
            elif current.kind != "local" and not Path(target).is_absolute():
                source = readers.remote_source(readers.relative_remote(current, target))
            else:
                source = self._local(target, current)
                if source is None:
                    raise self._fail(directive, f"file {shown} is not found")
                return source, _read_local(source.path, shown, self._fail, directive)
            return source, self.reader.read(source)
        except ReadError as exc:
            raise self._fail(directive, f"cannot include {shown}: {exc}") from None

    def _local(self, target: str, current: Source) -> Source | None:
        """Builder's search order: next to the including file, next to the main file, then the base folder."""
        path = Path(target)
        if path.is_absolute():
            return readers.local_source(path, target) if path.is_file() else None
        bases = ([current.path.parent] if current.path else []) + self.search_dirs
        for base in bases:
            candidate = base / path
            if candidate.is_file():
                return readers.local_source(candidate, _label(candidate, self.search_dirs))
        return None

    def _expand_macro(self, macro: Macro, args: list, out: list[Chunk]) -> None:
        if len(args) > len(macro.params):
            raise self._fail("@include", f"macro {macro.name}() takes {len(macro.params)} arguments, not {len(args)}")
        scope: dict = {}
        for index, (name, default) in enumerate(macro.params):
            if index < len(args):
                scope[name] = args[index]
            elif default is not None:
                scope[name] = self._eval(default, "@macro")
        if len(self.frames) >= MAX_DEPTH:
            raise self._fail("@include", f"macro {macro.name}() is nested too deeply (does it call itself?)")
        origin = macro.origin if isinstance(macro.origin, Source) else self.frames[-1].source
        self.frames.append(Frame(origin, {**self.frames[-1].locals, **scope}))
        try:
            self._nodes(macro.body, out)
        finally:
            self.frames.pop()

    def _block(self, node: Block, out: list[Chunk]) -> None:
        directive = "@" + node.name
        if node.name == "if":
            for branch in node.branches:
                self.frames[-1].line = branch.line
                if branch.condition is None or truthy(self._eval(branch.condition, directive)):
                    self._nodes(branch.body, out)
                    return
            return
        branch = node.branches[0]
        frame = self.frames[-1]
        outer = frame.locals.get("loop", UNDEFINED)
        index = 0
        try:
            while True:
                frame.line = node.line
                if node.name == "repeat":
                    times = to_number(self._eval(branch.condition, directive))
                    if index >= times:
                        break
                elif not truthy(self._eval(branch.condition, directive)):
                    break
                if index >= MAX_LOOP:
                    raise self._fail(directive, f"stopped after {MAX_LOOP} iterations (does the loop ever end?)")
                frame.locals["loop"] = {"index": index, "iteration": index + 1}
                self._nodes(branch.body, out)
                index += 1
        finally:
            if outer is UNDEFINED:
                frame.locals.pop("loop", None)
            else:
                frame.locals["loop"] = outer


def _read_local(path: Path | None, shown: str, fail: Callable[[str, str], BuildError], directive: str) -> str:
    try:
        return path.read_text(encoding="utf-8") if path else ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise fail(directive, f"cannot read {shown}: {reason}") from None


def _label(path: Path, search_dirs: list[Path]) -> str:
    """How a local file is named in errors and line control: relative to the base folder when inside it."""
    resolved = path.resolve()
    for base in search_dirs[-1:]:
        try:
            return resolved.relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return str(resolved)


def render(chunks: list[Chunk], line_control: bool) -> str:
    """The generated code; with line control, a `#line` statement wherever the text leaves its source."""
    if not line_control:
        return "".join(chunk.text for chunk in chunks)
    lines: list[str] = []
    expected: tuple[str, int] | None = None
    for chunk in chunks:
        if not chunk.text:
            continue
        if chunk.label is not None and expected != (chunk.label, chunk.line):
            if lines and not lines[-1].endswith("\n"):
                lines.append("\n")
            lines.append(f'#line {chunk.line} "{chunk.label}"\n')
        lines.append(chunk.text)
        newlines = chunk.text.count("\n")
        single = newlines == 1 and chunk.text.endswith("\n")
        expected = (chunk.label, chunk.line + 1) if single and chunk.label is not None else None
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
