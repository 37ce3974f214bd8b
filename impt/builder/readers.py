"""Where included sources come from: local files, HTTP(S) URLs and `github:owner/repo/path@ref`.

Remote sources go through `requests` (the project's one HTTP stack) and, when the cache is on, through
`.builder-cache`, where an entry expires 24 hours after it was written, as Builder's cache does.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import requests

CACHE_DIR = ".builder-cache"
EXCLUDE_LIST = "exclude-list.builder"
CACHE_TTL = 24 * 3600
TIMEOUT = 30
GITHUB_API = "https://api.github.com"
_GITHUB = re.compile(r"^github:([^/@]+)/([^/@]+)/([^@]+?)(?:@([^@]+))?$")


class ReadError(Exception):
    """The source could not be read; the message says why in a few words."""


@dataclass(frozen=True)
class Source:
    """One resolved source: its identity for `@include once`, how to show it, and Builder's variables."""

    key: str
    label: str
    kind: str  # "local", "http" or "github"
    variables: dict
    path: Path | None = None


def parse_github(reference: str) -> tuple[str, str, str, str | None] | None:
    match = _GITHUB.match(reference)
    return (match.group(1), match.group(2), match.group(3), match.group(4)) if match else None


def is_remote(reference: str) -> bool:
    return reference.startswith(("http://", "https://", "github:"))


def local_source(path: Path, label: str) -> Source:
    path = path.resolve()
    return Source(str(path), label, "local", {"__FILE__": path.name, "__PATH__": str(path.parent)}, path)


def remote_source(reference: str) -> Source:
    """A remote reference with its Builder variables (`__PATH__`, `__REPO_PREFIX__`, `__URL_ROOT__`, ...)."""
    github = parse_github(reference)
    if github:
        owner, repo, path, ref = github
        directory = path.rsplit("/", 1)[0] if "/" in path else ""
        variables = {
            "__FILE__": path.rsplit("/", 1)[-1],
            "__PATH__": f"github:{owner}/{repo}" + (f"/{directory}" if directory else ""),
            "__REPO_PREFIX__": f"github:{owner}/{repo}",
            "__REPO_REF__": ref,
        }
        return Source(reference, reference, "github", variables)
    if reference.startswith("github:"):
        raise ReadError('a GitHub include reads "github:<owner>/<repo>/<path>[@<ref>]"')
    parts = urlsplit(reference)
    root = f"{parts.scheme}://{parts.netloc}"
    url_path = parts.path or "/"
    variables = {
        "__FILE__": url_path.rsplit("/", 1)[-1],
        "__PATH__": root + url_path.rsplit("/", 1)[0],
        "__URL_ROOT__": root,
        "__URL_PATH__": url_path,
    }
    return Source(reference, reference, "http", variables)


def relative_remote(base: Source, target: str) -> str:
    """`target` (relative, or `/` for the resource's root) resolved against the remote file `base`."""
    if base.kind == "github":
        owner, repo, path, ref = parse_github(base.key) or ("", "", "", None)
        directory = path.rsplit("/", 1)[0] if "/" in path else ""
        joined = target.lstrip("/") if target.startswith("/") else _join(directory, target)
        return f"github:{owner}/{repo}/{joined}" + (f"@{ref}" if ref else "")
    parts = urlsplit(base.key)
    directory = parts.path.rsplit("/", 1)[0]
    joined = target.lstrip("/") if target.startswith("/") else _join(directory.lstrip("/"), target)
    return f"{parts.scheme}://{parts.netloc}/{joined}"


def _join(directory: str, target: str) -> str:
    parts: list[str] = [p for p in directory.split("/") if p]
    for part in target.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def exclusion_patterns(text: str) -> list[re.Pattern]:
    """`exclude-list.builder` lines as patterns: `?` one character, `*` within a path part, `**` across parts."""
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        regex = ""
        position = 0
        while position < len(line):
            if line.startswith("**/", position):
                regex += "(?:.*/)?"
                position += 3
            elif line.startswith("/**", position) and position + 3 == len(line):
                regex += "/.*"
                position += 3
            elif line.startswith("**", position):
                regex += ".*"
                position += 2
            elif line[position] == "*":
                regex += "[^/]*"
                position += 1
            elif line[position] == "?":
                regex += "[^/]"
                position += 1
            else:
                regex += re.escape(line[position])
                position += 1
        patterns.append(re.compile(f"^(?:.*/)?{regex}$" if "/" not in line.split(":", 1)[-1] else f"^{regex}$"))
    return patterns


class Cache:
    """`.builder-cache`: one file per remote reference, valid for 24 hours from when it was written.

    References matching a line of `exclude-list.builder` (next to the cache folder) are never cached.
    """

    def __init__(self, directory: Path, clock: Callable[[], float] = time.time, ttl: float = CACHE_TTL) -> None:
        self.directory = directory
        self.clock = clock
        self.ttl = ttl
        try:
            exclude = (directory.parent / EXCLUDE_LIST).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            exclude = ""
        self.excluded = exclusion_patterns(exclude)

    def caches(self, key: str) -> bool:
        return not any(pattern.match(key) for pattern in self.excluded)

    def _file(self, key: str) -> Path:
        kind = "github" if key.startswith("github:") else "http"
        return self.directory / kind / hashlib.sha256(key.encode("utf-8")).hexdigest()

    def get(self, key: str) -> str | None:
        path = self._file(key)
        try:
            if self.clock() - path.stat().st_mtime > self.ttl:
                return None
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, text: str) -> None:
        """Written atomically: a reader never sees half an entry."""
        path = self._file(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.utime(temporary, (self.clock(), self.clock()))
            os.replace(temporary, path)
        except OSError:
            return  # a cache that cannot be written only costs the next run a download


class RemoteReader:
    """Downloads remote sources; `github` is `(user, token)` or None for anonymous access."""

    def __init__(
        self,
        github: tuple[str, str] | None = None,
        cache: Cache | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.github = github
        self.cache = cache
        self.session = session or requests.Session()

    def read(self, source: Source) -> str:
        cache = self.cache if self.cache is not None and self.cache.caches(source.key) else None
        if cache is not None:
            cached = cache.get(source.key)
            if cached is not None:
                return cached
        text = self._github(source.key) if source.kind == "github" else self._http(source.key)
        if cache is not None:
            cache.put(source.key, text)
        return text

    def _get(self, url: str, **kwargs: object) -> requests.Response:
        try:
            return self.session.get(url, timeout=TIMEOUT, **kwargs)
        except requests.Timeout:
            raise ReadError(f"no answer within {TIMEOUT} s") from None
        except requests.ConnectionError:
            raise ReadError(f"cannot connect to {urlsplit(url).netloc} (offline?)") from None
        except requests.RequestException as exc:
            raise ReadError(type(exc).__name__) from None

    def _http(self, url: str) -> str:
        response = self._get(url)
        if response.status_code != 200:
            raise ReadError(f"HTTP {response.status_code} {response.reason or ''}".rstrip())
        return response.text

    def _github(self, reference: str) -> str:
        owner, repo, path, ref = parse_github(reference) or ("", "", "", None)
        url = f"{GITHUB_API}/repos/{owner}/{repo}/contents/{path}"
        response = self._get(
            url,
            params={"ref": ref} if ref else None,
            auth=self.github,
            headers={"Accept": "application/vnd.github.v3+json"},
        )
        if response.status_code == 404:
            raise ReadError("not found on GitHub (HTTP 404)")
        if response.status_code in (401, 403):
            limited = response.headers.get("X-RateLimit-Remaining") == "0"
            raise ReadError(
                "GitHub API rate limit exceeded"
                if limited
                else f"GitHub refused access (HTTP {response.status_code}); check the GitHub credentials"
            )
        if response.status_code != 200:
            raise ReadError(f"GitHub answered HTTP {response.status_code}")
        try:
            body = response.json()
            return base64.b64decode(body["content"]).decode("utf-8")
        except (ValueError, KeyError, TypeError):
            raise ReadError("GitHub did not return a file") from None
