"""Which test files `test run` uses: the configured globs, narrowed by `--tests [file][:case][::method]`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from impt.errors import UsageError

PARTIAL_RECURSIVE = "Invalid pattern: '**' can only be an entire path component"

_AGENT_WORD = re.compile(r"\bagent\b")


@dataclass(frozen=True)
class TestPattern:
    """`--tests` split into a file regex (searched in the relative path), a class and a method name."""

    file: str = ""
    test_class: str = ""
    method: str = ""

    def file_matches(self, relative: str) -> bool:
        return not self.file or re.search(self.file, relative) is not None


@dataclass(frozen=True)
class TestFile:
    path: str  # relative to the current directory (absolute when outside it), with "/"
    kind: str  # "agent" or "device"
    partner: str | None = None  # x.device.nut for x.agent.test.nut (and vice versa), when it exists


def parse_tests_pattern(text: str | None) -> TestPattern:
    """`[testFile][:testCase][::testMethod]`; the file part must be a valid regular expression."""
    if not text:
        return TestPattern()
    left, _, method = text.partition("::")
    file_part, _, test_class = left.partition(":")
    try:
        re.compile(file_part)
    except re.error as exc:
        raise UsageError(f'Option "--tests" has an invalid test file pattern "{file_part}": {exc}.') from None
    return TestPattern(file_part, test_class, method)


def test_kind(relative: str) -> str:
    return "agent" if _AGENT_WORD.search(Path(relative).name) else "device"


def _partner(cwd: Path, relative: str, kind: str) -> str | None:
    name = Path(relative).name
    other = "device" if kind == "agent" else "agent"
    match = re.match(rf"^(.*)\b{kind}\.test\.nut$", name)
    if not match:
        return None
    candidate = Path(relative).parent / f"{match.group(1)}{other}.nut"
    return candidate.as_posix() if (cwd / candidate).is_file() else None


def find_test_files(cwd: Path, globs: list[str], pattern: TestPattern) -> list[TestFile]:
    """Every file matching any glob (sorted, once each) whose path matches the `--tests` file part."""
    found: dict[str, None] = {}
    for glob in globs:
        for path in _glob(cwd, glob):
            if path.is_file():
                found.setdefault(_shown(cwd, path), None)
    files = []
    for relative in found:
        if pattern.file_matches(relative):
            kind = test_kind(relative)
            files.append(TestFile(relative, kind, _partner(cwd, relative, kind)))
    return files


def _glob(cwd: Path, glob: str) -> list[Path]:
    """Sorted matches; a relative glob starts in the current directory, an absolute one at its root."""
    base, relative = cwd, glob
    if Path(glob).is_absolute():
        base = Path(Path(glob).anchor)
        relative = Path(glob).relative_to(base).as_posix()
    # Python 3.13 reads a "**" inside a name as "*"; earlier versions refuse it, as impt does.
    if any("**" in part and part != "**" for part in relative.split("/")):
        raise UsageError(f'Test file pattern "{glob}" is invalid: {PARTIAL_RECURSIVE}.')
    try:
        return sorted(base.glob(relative))
    except ValueError as exc:
        raise UsageError(f'Test file pattern "{glob}" is invalid: {exc}.') from None


def _shown(cwd: Path, path: Path) -> str:
    """Relative to the current directory when inside it (impt's display), else the absolute path."""
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def selects(code: str, pattern: TestPattern) -> bool:
    """False when `--tests` names a class or method the test file does not contain (impt skips the file)."""
    if pattern.test_class and not re.search(rf"\bclass\s+{re.escape(pattern.test_class)}\b", code):
        return False
    return not pattern.method or re.search(rf"\bfunction\s+{re.escape(pattern.method)}\s*\(", code) is not None
