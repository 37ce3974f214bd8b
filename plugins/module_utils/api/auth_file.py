"""The impt auth file (``.impt.auth``): one reader and one atomic writer for the console and the plugins.

impt's layout: 2-space JSON without a trailing newline, keys ``endpoint``, ``accessToken``,
``expiresAt`` and, when they are to be kept, ``loginKey`` and ``refreshToken``. The file holds
credentials, so it is written with mode 0600 through a temporary file in the same directory and a
rename: nobody else can read it, and a crash leaves the old file, never half of a new one.
"""

import json
import os
import tempfile
from typing import Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import ImpCentralClientError
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.file_trust import check_trusted

AUTH_FILE_NAME = ".impt.auth"


class AuthFileError(ImpCentralClientError):
    """The auth file is missing, unreadable, or not impt's JSON."""

    def __init__(self, path: str, missing: bool) -> None:
        self.path = path
        self.missing = missing
        state = "not found" if missing else "corrupted"
        super().__init__("Auth file %s is %s." % (path, state))


def write_private_file(path: str, text: str, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` atomically, the file never readable beyond ``mode``, even briefly.

    A failure is reported for ``path`` itself: the temporary file's random name means nothing to the user.
    """
    try:
        _replace_with(path, text, mode)
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, path) from exc


def _replace_with(path: str, text: str, mode: int) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=directory)
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


def read_auth_file(path: str) -> dict:
    """The auth file's content; ``AuthFileError`` when it is missing or lacks a token.

    ``UntrustedFileError`` when another user owns it or group/others can write it (see ``file_trust``).
    """
    check_trusted(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise AuthFileError(path, missing=True) from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise AuthFileError(path, missing=False) from None
    if not isinstance(data, dict) or not data.get("accessToken") or not data.get("expiresAt"):
        raise AuthFileError(path, missing=False)
    return data


def auth_file_text(
    endpoint: str, tokens: Tokens, *, keep_login_key: bool = True, keep_refresh_token: bool = True
) -> str:
    """The file's text for ``tokens``; what may be refreshed later is kept only when asked."""
    data = {"endpoint": endpoint, "accessToken": tokens.access_token, "expiresAt": tokens.expires_at}
    if keep_login_key and tokens.login_key:
        data["loginKey"] = tokens.login_key
    if keep_refresh_token and tokens.refresh_token:
        data["refreshToken"] = tokens.refresh_token
    return json.dumps(data, indent=2)


def tokens_from(data: dict) -> Tokens:
    return Tokens(
        access_token=data["accessToken"],
        expires_at=data["expiresAt"],
        refresh_token=data.get("refreshToken"),
        login_key=data.get("loginKey"),
    )


class AuthFileStore:
    """An auth file as the client's token store, so every token the client refreshes is written back.

    ``data`` is the content already read (the console reads it first to report errors in impt's
    words); without it the file is read on ``load()``, and a missing file means "no tokens yet".
    Tokens saved for another endpoint are not used.
    """

    def __init__(
        self,
        path: str,
        endpoint: str,
        *,
        data: Optional[dict] = None,
        keep_login_key: bool = True,
        keep_refresh_token: bool = True,
    ) -> None:
        self.path = str(path)
        self.endpoint = endpoint
        self.data = data
        self.keep_login_key = keep_login_key
        self.keep_refresh_token = keep_refresh_token

    def load(self) -> Optional[Tokens]:
        data = self.data
        if data is None:
            try:
                data = read_auth_file(self.path)
            except AuthFileError as exc:
                if exc.missing:
                    return None
                raise
        saved_for = (data.get("endpoint") or "").rstrip("/")
        if saved_for and saved_for != self.endpoint.rstrip("/"):
            return None
        return tokens_from(data)

    def save(self, tokens: Tokens) -> None:
        text = auth_file_text(
            self.endpoint, tokens, keep_login_key=self.keep_login_key, keep_refresh_token=self.keep_refresh_token
        )
        write_private_file(self.path, text)
