"""Small files impt keeps: the auth file (written atomically, mode 0600) and the project file (read only)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from impt.errors import AuthError, ImptError

AUTH_FILE = ".impt.auth"
PROJECT_FILE = ".impt.project"


def write_atomically(path: Path, text: str, mode: int = 0o600) -> None:
    """Temp file in the same directory, fsync, rename: readers never see half a file. A directory that does not
    exist is an error, never created (a mistyped `-x dir/file` must not leave new directories behind)."""
    if not path.parent.is_dir():
        raise ImptError(f'File error: {path.name}: the directory "{path.parent}" does not exist.')
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth_file import write_private_file

    write_private_file(str(path), text, mode)


def read_auth_file(path: Path, label: str) -> dict[str, Any]:
    """The auth file as a dict; `<label> is not found.` / `<label> is corrupted.` in impt's words."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api import auth_file
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.file_trust import UntrustedFileError

    try:
        data = auth_file.read_auth_file(str(path))
    except auth_file.AuthFileError as exc:
        raise AuthError(f"{label} is not found." if exc.missing else f"{label} is corrupted.") from None
    except UntrustedFileError as exc:
        raise AuthError(f"{label}: {exc}") from None
    if not _well_typed(data):  # a hand-edited file (`"expiresAt": 5`) is corrupted, never an internal error
        raise AuthError(f"{label} is corrupted.")
    return data


_AUTH_KEYS = ("endpoint", "accessToken", "expiresAt", "loginKey", "refreshToken")


def _well_typed(data: dict[str, Any]) -> bool:
    from datetime import datetime

    if any(data.get(key) is not None and not isinstance(data[key], str) for key in _AUTH_KEYS):
        return False
    try:
        datetime.fromisoformat(data["expiresAt"].replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def check_trusted_file(path: Path, label: str) -> None:
    """impt's one line for a file another user owns or group/others can write (the ssh rule)."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.file_trust import (
        UntrustedFileError,
        check_trusted,
    )

    try:
        check_trusted(str(path))
    except UntrustedFileError as exc:
        raise ImptError(f"{label} File: {exc}") from None


def auth_file_text(endpoint: str, tokens: Any, *, temp: bool = False) -> str:
    """impt's layout; `--temp` keeps neither the login key nor the refresh token (no automatic refresh)."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api import auth_file

    return auth_file.auth_file_text(endpoint, tokens, keep_login_key=not temp, keep_refresh_token=not temp)


def auth_file_store(path: Path, endpoint: str, data: dict[str, Any]) -> Any:
    """The client's token store over an auth file already read; a `--temp` file stays temporary."""
    from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth_file import AuthFileStore

    temp = not data.get("refreshToken") and not data.get("loginKey")
    return AuthFileStore(str(path), endpoint, data=data, keep_login_key=not temp, keep_refresh_token=not temp)


PROJECT_DEFAULTS = {"deviceFile": "device.nut", "agentFile": "agent.nut"}


def read_project(cwd: Path) -> dict[str, Any] | None:
    """`.impt.project` of the current directory, or None when there is none.

    Only `deviceGroupId` is mandatory (impt-behaviour §3); a missing source file name takes impt's
    default, so every consumer (and a rewrite by `project update`) sees the same files.
    """
    path = cwd / PROJECT_FILE
    check_trusted_file(path, "Project")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError):
        raise ImptError("Project File is corrupted.") from None
    if not isinstance(data, dict) or not isinstance(data.get("deviceGroupId"), str):
        raise ImptError("Project File is corrupted.")
    for key, default in PROJECT_DEFAULTS.items():
        if not isinstance(data.setdefault(key, default), str):
            raise ImptError("Project File is corrupted.")
    return data


def remove_file(path: Path) -> bool:
    """Delete a file impt made; False when it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def remove_dir(path: Path) -> bool:
    """Delete a directory impt made (with what is in it); False when it was not there."""
    if not path.is_dir():
        return False
    shutil.rmtree(path)
    return True
