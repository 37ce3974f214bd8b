"""What went wrong with a request: a transport failure classified for the retry policy, or an API error.

Split from transport.py so the retry loop reads top-down; nothing here sends a request or sleeps.
"""

import json
from typing import Any

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    AuthenticationError,
    ImpCentralError,
    MfaRequiredError,
    error_class_for,
)


def classify(requests: Any, exc: Exception) -> tuple:
    """(short reason, whether the request may have reached the server); reason None = not ours."""
    if requests is None:
        return None, True
    rex = requests.exceptions
    if isinstance(exc, rex.ConnectTimeout):
        return "connection timed out", False
    if isinstance(exc, rex.ReadTimeout):
        return "no answer before the read timeout", True
    if isinstance(exc, rex.SSLError):
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text:
            return "TLS certificate verification failed", False
        return "TLS error", False
    if isinstance(exc, rex.ProxyError):
        return "proxy error", False
    if isinstance(exc, rex.ConnectionError):
        return connection_reason(exc)
    if isinstance(exc, (rex.InvalidURL, rex.MissingSchema, rex.InvalidSchema)):
        return "invalid endpoint URL", False
    if isinstance(exc, rex.RequestException):
        return f"{type(exc).__name__}", True
    return None, True


def error_from_response(method: str, url: str, response: Any, redactor: Any) -> ImpCentralError:
    """The typed error of a non-2xx answer: method, redacted URL, status and the API's ``errors[]``."""
    status = response.status_code
    errors: list = []
    try:
        payload = json.loads(response.content) if response.content else None
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("errors"), list):
        errors = [e for e in payload["errors"] if isinstance(e, dict)]
    safe_url = redactor.url(url)
    first = errors[0] if errors else {}
    meta = first.get("meta") if isinstance(first.get("meta"), dict) else {}
    login_token = meta.get("login_token") if meta else None
    if status == 403 and (first.get("code") == "PX200" or login_token):
        redactor.remember(login_token)
        return MfaRequiredError(method, safe_url, status, redactor.body(errors), login_token=login_token or "")
    cls = error_class_for(status)
    if cls is AuthenticationError:
        return AuthenticationError(method, safe_url, status, redactor.body(errors))
    return cls(method, safe_url, status, redactor.body(errors))


def connection_reason(exc: Exception) -> tuple:
    """Tell a refused/unresolvable connection (never sent) from one lost after sending."""
    chain = []
    current: Any = exc
    for _depth in range(6):
        if current is None:
            break
        chain.append(current)
        nxt = getattr(current, "reason", None)
        if nxt is None and current.args and isinstance(current.args[0], BaseException):
            nxt = current.args[0]
        current = nxt if nxt is not current else None
    names = {type(c).__name__ for c in chain}
    text = " ".join(str(c) for c in chain).lower()
    if "NameResolutionError" in names or "name or service not known" in text or "nodename nor servname" in text:
        return "cannot resolve the host name", False
    if "refused" in text or isinstance(exc, ConnectionRefusedError):
        return "connection refused", False
    if "NewConnectionError" in names or "ConnectTimeoutError" in names:
        return "cannot connect", False
    if "reset" in text or "RemoteDisconnected" in names or "aborted" in text:
        return "connection reset", True
    return "connection lost", True
