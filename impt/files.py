"""Small files impt keeps: the auth file (written atomically, mode 0600) and the project file (read only)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from impt.errors import AuthError, ImptError

AUTH_FILE = ".impt.auth"
PROJECT_FILE = ".impt.project"
_AUTH_KEYS = (("endpoint", "endpoint"), ("access_token", "accessToken"), ("expires_at", "expiresAt"))


def write_atomically(path: Path, text: str, mode: int = 0o600) -> None:
    """Temp file in the same directory, fsync, rename: readers never see half a file."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_auth_file(path: Path, label: str) -> dict[str, Any]:
    """The auth file as a dict; `<label> is corrupted.` when it is not impt's JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthError(f"{label} is not found.") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise AuthError(f"{label} is corrupted.") from None
    if not isinstance(data, dict) or not data.get("accessToken") or not data.get("expiresAt"):
        raise AuthError(f"{label} is corrupted.")
    return data


def auth_file_text(endpoint: str, tokens: Any, *, temp: bool = False) -> str:
    """impt's layout: 2-space JSON, keys endpoint, accessToken, expiresAt, loginKey, refreshToken; no newline."""
    data: dict[str, Any] = {"endpoint": endpoint, "accessToken": tokens.access_token, "expiresAt": tokens.expires_at}
    if not temp:
        if tokens.login_key:
            data["loginKey"] = tokens.login_key
        if tokens.refresh_token:
            data["refreshToken"] = tokens.refresh_token
    return json.dumps(data, indent=2)


class AuthFileStore:
    """TokenStore over an auth file, so tokens the client refreshes are written back."""

    def __init__(self, path: Path, label: str, endpoint: str, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.label = label
        self.endpoint = endpoint
        self.data = data
        self.temp = data is not None and not data.get("refreshToken") and not data.get("loginKey")

    def load(self) -> Any:
        from ansible_collections.electricimp.impcentral.plugins.module_utils.auth import Tokens

        data = self.data if self.data is not None else read_auth_file(self.path, self.label)
        return Tokens(
            access_token=data["accessToken"],
            expires_at=data["expiresAt"],
            refresh_token=data.get("refreshToken"),
            login_key=data.get("loginKey"),
        )

    def save(self, tokens: Any) -> None:
        write_atomically(self.path, auth_file_text(self.endpoint, tokens, temp=self.temp))


def read_project(cwd: Path) -> dict[str, Any] | None:
    """`.impt.project` of the current directory, or None when there is none."""
    path = cwd / PROJECT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError):
        raise ImptError("Project File is corrupted.") from None
    if not isinstance(data, dict) or not isinstance(data.get("deviceGroupId"), str):
        raise ImptError("Project File is corrupted.")
    return data
