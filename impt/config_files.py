"""impt's per-directory JSON files: project, test configuration, GitHub credentials, Builder variables.

All are 2-space JSON without a trailing newline, written atomically so an interrupted command never leaves
half a file (impt-behaviour §3). Invalid content reads as `<Type> File is corrupted.`
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from impt.errors import ImptError
from impt.files import PROJECT_FILE, check_trusted_file, write_atomically

TEST_FILE = ".impt.test"
PROJECT_LABEL = "Project"
TEST_LABEL = "Test Configuration"
GITHUB_LABEL = "GitHub credentials Configuration"
BUILDER_LABEL = "Builder Configuration"
DEFAULT_TEST_FILES = ["*.test.nut", "tests/**/*.test.nut"]
TEST_KEYS = (
    "deviceGroupId",
    "timeout",
    "stopOnFail",
    "allowDisconnect",
    "builderCache",
    "testFiles",
    "deviceFile",
    "agentFile",
    "githubConfig",
    "builderConfig",
)


def json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def write_config(path: Path, data: dict[str, Any], mode: int = 0o644) -> None:
    write_atomically(path, json_text(data), mode)


def read_config(path: Path, label: str) -> dict[str, Any] | None:
    """The file's JSON object, None when the file does not exist; an untrusted project or test file is refused."""
    if label in (PROJECT_LABEL, TEST_LABEL):
        check_trusted_file(path, label)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError):
        raise ImptError(f"{label} File is corrupted.") from None
    if not isinstance(data, dict):
        raise ImptError(f"{label} File is corrupted.")
    return data


def project_data(dg_id: str, device_file: str, agent_file: str) -> dict[str, Any]:
    return {"deviceGroupId": dg_id, "deviceFile": device_file, "agentFile": agent_file}


def write_project(cwd: Path, data: dict[str, Any]) -> None:
    write_config(cwd / PROJECT_FILE, data)


def read_test_config(cwd: Path) -> dict[str, Any]:
    """`.impt.test` checked for the keys `test run` relies on; missing file is an error."""
    data = read_config(cwd / TEST_FILE, TEST_LABEL)
    if data is None:
        raise ImptError(f"{TEST_LABEL} File is not found in the current directory.")
    valid = (
        isinstance(data.get("deviceGroupId"), str)
        and isinstance(data.get("timeout", 30), int)
        and not isinstance(data.get("timeout", 30), bool)
        and isinstance(data.get("testFiles", []), list)
        and all(isinstance(p, str) for p in data.get("testFiles", []))
        and all(isinstance(data.get(k, False), bool) for k in ("stopOnFail", "allowDisconnect", "builderCache"))
        and all(isinstance(data.get(k, ""), str) for k in ("deviceFile", "agentFile", "githubConfig", "builderConfig"))
    )
    if not valid:
        raise ImptError(f"{TEST_LABEL} File is corrupted.")
    return data


def ordered_test_config(data: dict[str, Any]) -> dict[str, Any]:
    """impt's key order; optional keys only when set."""
    return {key: data[key] for key in TEST_KEYS if data.get(key) not in (None, "")}


def read_github_credentials(path: Path) -> dict[str, str] | None:
    data = read_config(path, GITHUB_LABEL)
    if data is None:
        return None
    if not isinstance(data.get("githubUser"), str) or not isinstance(data.get("githubToken"), str):
        raise ImptError(f"{GITHUB_LABEL} File is corrupted.")
    return {"githubUser": data["githubUser"], "githubToken": data["githubToken"]}


def read_builder_variables(path: Path) -> dict[str, Any] | None:
    return read_config(path, BUILDER_LABEL)
