"""HTTP layer: one ``requests`` session, headers, retries, deadline, pagination and the debug hook.

``requests`` is imported only when the first session is built, so importing the client stays cheap
(and the Ansible sanity import test runs without ``requests`` installed).
"""

import itertools
import json
import random
import time
from typing import Any, Callable, Iterator, Optional
from urllib.parse import quote, urlsplit

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import (
    CONNECT_RETRIES,
    DEFAULT_ENDPOINT,
    JSON_API,
    PAGE_SIZE,
    PLAIN_JSON,
    STREAM_READ_TIMEOUT,
    USER_AGENT,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    DeadlineExceededError,
    ImpCentralError,
    ServerError,
    TransportError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.failures import classify, error_from_response
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.redact import Redactor

RETRY_STATUSES = frozenset({502, 503, 504})
# Failures that the same request will meet again however long it waits: reported at once.
PERMANENT_FAILURES = frozenset({"TLS certificate verification failed", "invalid endpoint URL"})
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RATE_LIMIT_MIN_WAIT = 0.05
RATE_LIMIT_MAX_WAIT = 30.0
MAX_PAGES = 100000
# With a deadline, a write whose answer was lost is retried until the deadline, not a small count (half the
# answers lost makes six losses in a row common); this cap only stops a zero-backoff loop.
MAX_AMBIGUOUS_RETRIES = 1000

FilterValue = Any  # None | str | bool | list[str]


def seg(value: Any) -> str:
    """Quote one path segment (ids, MACs and agent ids stay readable)."""
    return quote(str(value), safe=":@-._~")


def expand_filters(filters: Optional[dict]) -> list:
    """The OR-ed combinations of filter values: one query dict per request (cartesian product)."""
    keys, choices = [], []
    for name, value in (filters or {}).items():
        if value is None or (isinstance(value, (list, tuple)) and not value):
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        keys.append(name)
        choices.append([_filter_text(v) for v in values])
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*choices)]


def _filter_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Transport:
    """Sends requests to one impCentral endpoint; every entity module goes through it."""

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        timeout: Any = (10.0, 60.0),
        validate_certs: bool = True,
        ca_bundle: Optional[str] = None,
        proxy: Optional[str] = None,
        max_retries: int = 5,
        connect_retries: Optional[int] = None,
        deadline: Optional[float] = None,
        overall_deadline: Optional[float] = None,
        overall_label: str = "task",
        debug_hook: Optional[Callable[[dict], None]] = None,
        user_agent: Optional[str] = None,
        redactor: Optional[Redactor] = None,
    ) -> None:
        self.endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        parts = urlsplit(self.endpoint)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self.timeout = tuple(timeout) if isinstance(timeout, (tuple, list)) else (float(timeout), float(timeout))
        self.verify: Any = ca_bundle if ca_bundle else bool(validate_certs)
        self.proxies = {"http": proxy, "https": proxy} if proxy else None
        self.max_retries = max(0, int(max_retries))
        # A refused or unresolvable endpoint is reported now, by impt and modules alike (constants.CONNECT_RETRIES);
        # a request that reached the server keeps the whole budget.
        self.connect_retries = CONNECT_RETRIES if connect_retries is None else max(0, int(connect_retries))
        self.deadline = deadline
        # An absolute monotonic time an enclosing operation (a create and its probes) must finish by.
        self._outer_deadline_at: Optional[float] = None
        # Seconds of API time one command or task may spend in all its requests, retries and waits together:
        # time spent sending and waiting to retry is counted, time between requests (a prompt, a follower's
        # poll interval) is not. None = no overall bound (the commands whose job is to wait).
        self.overall_deadline = overall_deadline
        self.overall_label = overall_label
        self.overall_spent = 0.0
        self.debug_hook = debug_hook
        self.extra_user_agent = user_agent
        self.redactor = redactor or Redactor()
        self.auth: Any = None  # set by the client: has bearer() and on_unauthorized()
        self.sleep: Callable[[float], None] = time.sleep
        self._session: Any = None
        self._requests: Any = None
        # Authenticated writes the API accepted: lets a caller that fails later tell whether it changed anything.
        self.writes_accepted = 0
        # Called around each request: start(method, url) (may raise to stop it), attempt(method, url) before a
        # retry, end(method) after. Cancellation and impt's Ctrl-C use it (cancel.py).
        self.guard: Any = None
        # The Date header of the latest answer: the server's clock (to the second), for time windows that
        # must not depend on the controller's clock.
        self.server_date: Optional[str] = None

    # -- session -----------------------------------------------------------------------------

    @property
    def session(self) -> Any:
        """The shared ``requests.Session`` (built on first use)."""
        if self._session is None:
            import requests

            self._requests = requests
            session = requests.Session()
            agent = f"{USER_AGENT} python-requests/{requests.__version__}"
            if self.extra_user_agent:
                agent = f"{agent} {self.extra_user_agent}"
            session.headers["User-Agent"] = agent
            session.verify = self.verify
            # With no auth of its own, requests would take credentials from ~/.netrc and put them in
            # place of our bearer token: a leak to the endpoint and a puzzling 401.
            session.auth = _keep_headers
            self._session = session
        return self._session

    def close(self) -> None:
        """Release pooled connections."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def url_for(self, path: str) -> str:
        """Absolute URL of an API path; absolute links from the API stay on our endpoint's origin."""
        if path.startswith(("http://", "https://")):
            parts = urlsplit(path)
            if f"{parts.scheme}://{parts.netloc}" == self._origin:
                return path
            # A link built with another public name of the server: keep the token on our origin.
            rest = parts.path + (f"?{parts.query}" if parts.query else "")
            return self._origin + rest
        return self.endpoint + (path if path.startswith("/") else "/" + path)

    # -- requests ----------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Optional[dict] = None,
        body: Any = None,
        headers: Optional[dict] = None,
        auth: bool = True,
        repeatable: Optional[bool] = None,
    ) -> Any:
        """Send a request and return the decoded JSON answer (``None`` for an empty one)."""
        response = self.request(
            method, path, params=params, body=body, headers=headers, auth=auth, repeatable=repeatable
        )
        if response.status_code == 204 or not response.content:
            return None
        return self._decode(response)

    def create(self, path: str, body: Any, probe: Callable[[], Optional[dict]], headers: Optional[dict] = None) -> dict:
        """POST a new entity, resending it only when ``probe()`` shows the earlier attempt made nothing.

        A 502/503/504 or a connection lost after sending leaves it unknown whether the server created
        the entity. Sending again blindly could make a duplicate, so ``probe`` looks for the entity by
        its natural key (a name in its product, a webhook's group, event and URL...) first: found, it
        is the answer; not found, the POST is sent again: until the deadline when there is one (the POST,
        its probes and waits all within it), else up to ``max_retries`` times.
        """
        deadline_at = self._deadline_at()
        budget = MAX_AMBIGUOUS_RETRIES if deadline_at is not None else self.max_retries
        outer, self._outer_deadline_at = self._outer_deadline_at, deadline_at
        guard = self.guard
        if guard is not None:
            guard.start("POST", self.url_for(path))  # the POST and its probes are one write
        try:
            attempt = 0
            while True:
                try:
                    return self.call("POST", path, body=body, headers=headers, repeatable=False)["data"]
                except (ServerError, TransportError) as exc:
                    ambiguous = (isinstance(exc, ServerError) and exc.status in RETRY_STATUSES) or (
                        isinstance(exc, TransportError)
                        and not isinstance(exc, DeadlineExceededError)
                        and exc.maybe_sent
                    )
                    if not ambiguous or attempt >= budget:
                        raise
                found = probe()
                if found is not None:
                    return found
                self._pause(self._backoff(attempt), deadline_at, "POST", self.url_for(path))
                attempt += 1
        finally:
            self._outer_deadline_at = outer
            if guard is not None:
                guard.end("POST")

    def get_data(self, path: str, params: Optional[dict] = None) -> Any:
        """``data`` of a GET answer."""
        answer = self.call("GET", path, params=params)
        return answer.get("data") if isinstance(answer, dict) else answer

    def list_all(self, path: str, filters: Optional[dict] = None) -> list:
        """Every item of a collection; several values of a filter are OR-ed, merged, de-duplicated by id."""
        seen: set = set()
        items: list = []
        for query in expand_filters(filters):
            for item in self.iter_pages(path, query):
                key = item.get("id") if isinstance(item, dict) else None
                if key is not None:
                    if key in seen:
                        continue
                    seen.add(key)
                items.append(item)
        return items

    def iter_pages(self, path: str, query: Optional[dict] = None, page_size: int = PAGE_SIZE) -> Iterator:
        """Items of every page, following ``links.next`` until it is missing."""
        params = dict(query or {})
        params.setdefault("page[number]", "1")
        params.setdefault("page[size]", str(page_size))
        target: Optional[str] = path
        visited: set = set()
        for _page in range(MAX_PAGES):
            if target is None:
                return
            answer = self.call("GET", target, params=params)
            params = None
            if not isinstance(answer, dict):
                return
            yield from answer.get("data") or []
            nxt = (answer.get("links") or {}).get("next")
            if not nxt or nxt in visited:
                return
            visited.add(nxt)
            target = nxt

    def request(self, method: str, path: str, **options: Any) -> Any:
        """Send with retries (429 always, 5xx and lost connections only when safe) and one refresh on 401.

        Options: ``params``, ``body``, ``headers``, ``auth`` (True), ``repeatable`` (all but POST),
        ``stream``, ``plain_json``. The guard, when set, sees the request start and end."""
        guard = self.guard
        if guard is None:
            return self._request(method.upper(), path, **options)
        guard.start(method.upper(), self.url_for(path))
        try:
            return self._request(method.upper(), path, **options)
        finally:
            guard.end(method.upper())

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[dict] = None,
        body: Any = None,
        headers: Optional[dict] = None,
        auth: bool = True,
        repeatable: Optional[bool] = None,
        stream: bool = False,
        plain_json: bool = False,
    ) -> Any:
        url = self.url_for(path)
        if repeatable is None:
            repeatable = method != "POST"
        deadline_at = self._deadline_at()
        data = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        attempt = 0
        refreshed = False
        while True:
            send_headers = {"Content-Type": PLAIN_JSON if (plain_json or not auth) else JSON_API}
            if auth and self.auth is not None:
                send_headers["Authorization"] = "Bearer " + self.auth.bearer()
            if headers:
                send_headers.update(headers)
            timeout = self._timeout(deadline_at, method, url, stream)
            if attempt and self.guard is not None:
                self.guard.attempt(method, url)
            try:
                response = self._send(
                    method, url, send_headers, params=params, data=data, body=body, timeout=timeout, stream=stream
                )
            except TransportError:
                raise
            except Exception as exc:  # requests' exceptions: classified below
                reason, reached = self._classify(exc)
                if reason is None:
                    raise
                self._check_deadline(deadline_at, method, url, reason)
                budget = self.max_retries if reached else min(self.max_retries, self.connect_retries)
                if reached and repeatable and deadline_at is not None and reason == "connection reset":
                    # An answer lost after sending: a repeatable request converges if retried until the deadline.
                    budget = max(budget, MAX_AMBIGUOUS_RETRIES)
                if reason not in PERMANENT_FAILURES and attempt < budget and (repeatable or not reached):
                    self._pause(self._backoff(attempt), deadline_at, method, url, reason)
                    attempt += 1
                    continue
                raise TransportError(
                    f"Cannot reach impCentral at {self.redactor.url(self.endpoint)}: {reason}",
                    method,
                    self.redactor.url(url),
                    maybe_sent=reached,
                ) from None
            status = response.status_code
            self.server_date = response.headers.get("Date") or self.server_date
            if status < 400:
                if auth and method not in ("GET", "HEAD", "OPTIONS"):
                    self.writes_accepted += 1
                return response
            if status == 401 and auth and not refreshed and self.auth is not None and self.auth.can_refresh():
                refreshed = True
                response.close()
                self.auth.on_unauthorized()
                continue
            if status == 429 and attempt < self.max_retries:
                response.close()
                self._pause(self._rate_limit_wait(response, attempt), deadline_at, method, url)
                attempt += 1
                continue
            if status in RETRY_STATUSES and repeatable and attempt < self.max_retries:
                response.close()
                self._pause(self._backoff(attempt), deadline_at, method, url)
                attempt += 1
                continue
            raise self._error(method, url, response)

    # -- internals ---------------------------------------------------------------------------

    def _send(self, method, url, headers, *, params, data, body, timeout, stream) -> Any:
        session = self.session
        hook = self.debug_hook
        if hook is not None:
            self._emit(
                {
                    "event": "request",
                    "method": method,
                    "url": self.redactor.url(url),
                    "params": self.redactor.body(params) if params else None,
                    "headers": self.redactor.headers(headers),
                    "body": self.redactor.body(body),
                }
            )
        started = time.monotonic()
        try:
            response = self._timed_request(
                session,
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                timeout=timeout,
                proxies=self.proxies,
                stream=stream,
                allow_redirects=False,
            )
        except Exception as exc:
            if hook is not None:
                reason = self._classify(exc)[0] or type(exc).__name__
                self._emit(
                    {
                        "event": "error",
                        "method": method,
                        "url": self.redactor.url(url),
                        "error": reason,
                        "elapsed": time.monotonic() - started,
                    }
                )
            raise
        if hook is not None:
            self._emit(
                {
                    "event": "response",
                    "method": method,
                    "url": self.redactor.url(response.url or url),
                    "status": response.status_code,
                    "headers": self.redactor.headers(response.headers),
                    "body": None if stream else self._debug_body(response),
                    "elapsed": time.monotonic() - started,
                }
            )
        return response

    def _timed_request(self, session: Any, *args: Any, **kwargs: Any) -> Any:
        """``session.request``, its time counted against the overall deadline whatever the outcome."""
        started = time.monotonic()
        try:
            return session.request(*args, **kwargs)
        finally:
            self.overall_spent += max(0.0, time.monotonic() - started)

    def _emit(self, event: dict) -> None:
        try:
            self.debug_hook(event)
        except Exception:  # noqa: S110 - a broken hook must not break the API call
            pass

    def _debug_body(self, response: Any) -> Any:
        if not response.content:
            return None
        try:
            decoded = json.loads(response.content)
        except ValueError:
            return self.redactor.text(response.text[:2000])
        return self.redactor.body(decoded)

    def _decode(self, response: Any) -> Any:
        try:
            return json.loads(response.content)
        except ValueError:
            raise TransportError(
                f"impCentral at {self.redactor.url(self.endpoint)} sent a non-JSON answer "
                f"(HTTP {response.status_code})",
                response.request.method if response.request else "",
                self.redactor.url(response.url),
            ) from None

    def _deadline_at(self) -> Optional[float]:
        """When the call starting now must be done: its own deadline, or an enclosing operation's if sooner."""
        own = time.monotonic() + self.deadline if self.deadline else None
        outer = self._outer_deadline_at
        if own is None or outer is None:
            return own if outer is None else outer
        return min(own, outer)

    def _timeout(self, deadline_at: Optional[float], method: str, url: str, stream: bool = False) -> tuple:
        """(connect, read) timeouts for the next attempt; a stream reads at least ``STREAM_READ_TIMEOUT``
        between events (it idles between keep-alives), and no attempt outlives the deadline."""
        connect, read = self.timeout
        if stream:
            read = max(read, STREAM_READ_TIMEOUT)
        remaining = self._check_deadline(deadline_at, method, url)
        if remaining == float("inf"):
            return (connect, read)
        return (min(connect, remaining), min(read, remaining))

    def _check_deadline(self, deadline_at: Optional[float], method: str, url: str, reason: str = "") -> float:
        """Seconds left before the sooner of the request's deadline and the overall one; raises when none are."""
        overall = self.overall_remaining()
        if overall <= 0:
            raise self._overall_error(method, url, reason)
        if deadline_at is None:
            return overall
        remaining = deadline_at - time.monotonic()
        if remaining <= 0:
            raise self._deadline_error(method, url, reason)
        return min(remaining, overall)

    def overall_remaining(self) -> float:
        """Seconds of API time this command or task has left (infinite without an overall deadline)."""
        if not self.overall_deadline:
            return float("inf")
        return self.overall_deadline - self.overall_spent

    def _pause(self, seconds: float, deadline_at: Optional[float], method: str, url: str, reason: str = "") -> None:
        """Sleep before a retry, or give up at once when the wait would pass a deadline."""
        if seconds >= self.overall_remaining():
            raise self._overall_error(method, url, reason)
        if deadline_at is not None and time.monotonic() + seconds >= deadline_at:
            raise self._deadline_error(method, url, reason)
        self.sleep(seconds)
        self.overall_spent += seconds

    def _overall_error(self, method: str, url: str, reason: str = "") -> DeadlineExceededError:
        safe = self.redactor.url(url)
        last = f" (last try: {reason})" if reason else ""
        return DeadlineExceededError(
            f"impCentral did not complete {method} {safe}: the {self.overall_label}'s overall deadline of "
            f"{self.overall_deadline:g} s for all its API requests ran out{last}",
            method,
            safe,
        )

    def _deadline_error(self, method: str, url: str, reason: str = "") -> DeadlineExceededError:
        safe = self.redactor.url(url)
        last = f" (last try: {reason})" if reason else ""
        return DeadlineExceededError(
            f"impCentral did not complete {method} {safe} within the {self.deadline:g} s deadline{last}",
            method,
            safe,
        )

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter."""
        return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * (2**attempt)))  # noqa: S311 - not crypto

    def _rate_limit_wait(self, response: Any, attempt: int) -> float:
        raw = response.headers.get("X-RateLimit-Reset") or response.headers.get("Retry-After")
        try:
            wait = float(raw)
        except (TypeError, ValueError):
            wait = 1.0
        return min(RATE_LIMIT_MAX_WAIT, max(wait, RATE_LIMIT_MIN_WAIT))

    def _classify(self, exc: Exception) -> tuple:
        """(short reason, whether the request may have reached the server); reason None = not ours."""
        return classify(self._requests, exc)

    def _error(self, method: str, url: str, response: Any) -> ImpCentralError:
        return error_from_response(method, url, response, self.redactor)


def _keep_headers(prepared: Any) -> Any:
    """A requests auth hook that changes nothing: the Authorization header is set per request."""
    return prepared
