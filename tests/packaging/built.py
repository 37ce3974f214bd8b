"""What the packaging tests share: where things are, and running a command as a user would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VERSION = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
URL_LINE = re.compile(r"listening on (http://\S+/v5)")
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def role_readme_links() -> set[str]:
    """Collection-relative paths of the local files that roles/*/README.md link to (Markdown links)."""
    links = set()
    for readme in sorted((ROOT / "roles").glob("*/README.md")):
        for target in MARKDOWN_LINK.findall(readme.read_text()):
            if "://" not in target:
                links.add((readme.parent / target).resolve().relative_to(ROOT).as_posix())
    return links


def run(*argv: str | Path, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its output when it fails."""
    kwargs.setdefault("timeout", 600)
    result = subprocess.run([str(arg) for arg in argv], capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{argv} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user with an empty home: no auth files, no collections, no config."""
    keep = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    return dict(keep, HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), NO_COLOR="1", **extra)
