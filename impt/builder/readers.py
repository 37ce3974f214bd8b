"""Where included sources come from: local files, HTTP(S) URLs and `github:owner/repo/path@ref`.

Remote sources go through `requests` (the project's one HTTP stack) and, when the cache is on, through
`.builder-cache`, where an entry expires 24 hours after it was written, as Builder's cache does.
"""

from __future__ import annotations

import base64
import hashlib
import os
import posixpath
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import requests

from impt.builder.jsvalues import UNDEFINED

CACHE_DIR = ".builder-cache"
EXCLUDE_LIST = "exclude-list.builder"
CACHE_TTL = 24 * 3600
TIMEOUT = 30
GITHUB_API = "https://api.github.com"
_GITHUB = re.compile(r"^(github:|github\.com:|github\.com/)([a-z0-9\-._]+)/([a-z0-9\-._]+)/(.*?)(?:@([^@]*))?$", re.I)
_URL = re.compile(r"^(https?://[a-z0-9\-._:]+)/(.+)?$", re.I)


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
    return (match.group(2), match.group(3), match.group(4), match.group(5)) if match else None


def is_remote(reference: str) -> bool:
    lowered = reference.lower()
    return lowered.startswith(("http://", "https://")) or parse_github(reference) is not None


def remote_source(reference: str) -> Source:
    """A remote reference with Builder's variables (`__PATH__`, `__REPO_PREFIX__`, `__URL_ROOT__`, ...)."""
    github = parse_github(reference)
    if github:
        owner, repo, path, ref = github
        variables = {
            "__FILE__": posixpath.basename(path),
            "__PATH__": f"github:{owner}/{repo}/{posixpath.dirname(path) or '.'}",
            "__REPO_REF__": UNDEFINED if ref is None else ref,
            "__REPO_PREFIX__": f"github:{owner}/{repo}",
        }
        return Source(reference, reference, "github", variables)
    collapsed = re.sub(r"/+", "/", reference)  # how Builder's path helpers see a URL
    url = _URL.match(reference)
    variables = {
        "__FILE__": posixpath.basename(collapsed),
        "__PATH__": posixpath.dirname(collapsed).replace(":/", "://", 1),
        "__URL_ROOT__": url.group(1) if url else UNDEFINED,
        "__URL_PATH__": url.group(2) if url and url.group(2) is not None else UNDEFINED,
    }
    return Source(reference, reference, "http", variables)


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

    def __init__(
        self,
        directory: Path,
        clock: Callable[[], float] = time.time,
        ttl: float = CACHE_TTL,
        exclude: Path | None = None,
    ) -> None:
        self.directory = directory
        self.clock = clock
        self.ttl = ttl
        try:
            exclude = (exclude or directory.parent / EXCLUDE_LIST).read_text(encoding="utf-8")
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
    """Downloads remote sources; `github` is `(user, token)` or None for anonymous access.

    `pins` (pleasebuild's --use-dependencies) maps GitHub references to the Git blob SHA to read instead;
    `blobs` (--save-dependencies) collects the blob SHA of every GitHub file read."""

    def __init__(
        self,
        github: tuple[str, str] | None = None,
        cache: Cache | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.github = github
        self.cache = cache
        self.session = session or requests.Session()
        self.pins: dict[str, str] = {}
        self.blobs: dict[str, str] | None = None

    def read(self, source: Source) -> str:
        pinned = self.pins.get(source.key) if source.kind == "github" else None
        if pinned:
            return self._blob(source.key, pinned)
        cache = self.cache if self.cache is not None and self.cache.caches(source.key) else None
        if self.blobs is not None:
            cache = None  # Builder reads every file again when it saves their versions
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
        body = self._github_json(f"{GITHUB_API}/repos/{owner}/{repo}/contents/{path}", {"ref": ref} if ref else None)
        if self.blobs is not None and isinstance(body.get("sha"), str):
            self.blobs[reference] = body["sha"]
        return _decoded(body)

    def _blob(self, reference: str, sha: str) -> str:
        owner, repo, _, _ = parse_github(reference) or ("", "", "", None)
        body = self._github_json(f"{GITHUB_API}/repos/{owner}/{repo}/git/blobs/{sha}", None)
        if self.blobs is not None:
            self.blobs[reference] = sha
        return _decoded(body)

    def _github_json(self, url: str, params: dict | None) -> dict:
        headers = {"Accept": "application/vnd.github.v3+json"}
        response = self._get(url, params=params, auth=self.github, headers=headers)
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
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ReadError("GitHub did not return a file")
        return body


def _decoded(body: dict) -> str:
    try:
        return base64.b64decode(body["content"]).decode("utf-8")
    except (ValueError, KeyError, TypeError):
        raise ReadError("GitHub did not return a file") from None
