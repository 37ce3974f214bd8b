"""Exceptions raised by the impCentral client.

One hierarchy so callers (console, modules, lookups) can catch the whole family or one kind;
every class keeps the request context that Ansible's ``fail_json`` and the console print.
"""

from typing import Any, Optional


class ImpCentralClientError(Exception):
    """Base of every error the client raises."""


class ImpCentralError(ImpCentralClientError):
    """The API answered with a non-2xx status."""

    def __init__(
        self,
        method: str,
        url: str,
        status: int,
        errors: Optional[list] = None,
    ) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.errors = list(errors or [])
        first = self.errors[0] if self.errors and isinstance(self.errors[0], dict) else {}
        self.code: Optional[str] = first.get("code")
        self.title: Optional[str] = first.get("title")
        self.detail: Optional[str] = first.get("detail")
        self.meta: Any = first.get("meta")
        if self.title and self.detail:
            message = f"{self.title}: {self.detail}"
        elif self.title or self.detail:
            message = str(self.title or self.detail)
        else:
            message = f"impCentral API error HTTP/{status}"
        super().__init__(message)

    def describe(self) -> str:
        """The message plus where it came from, for a one-line failure report."""
        return f"{self} ({self.method} {self.url} -> {self.status})"

    def to_dict(self) -> dict:
        """Plain fields for ``fail_json(**error.to_dict())`` style reporting."""
        return {
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
            "meta": self.meta,
        }


class BadRequestError(ImpCentralError):
    """HTTP 400: the API refused the input."""


class AuthenticationError(ImpCentralError):
    """HTTP 401, or no usable credentials / the token cannot be refreshed."""

    def __init__(
        self,
        method: str = "",
        url: str = "",
        status: int = 401,
        errors: Optional[list] = None,
        message: Optional[str] = None,
    ) -> None:
        if message and not errors:
            errors = [{"status": str(status), "title": "Authentication failed", "detail": message}]
        super().__init__(method, url, status, errors)


class PermissionDeniedError(ImpCentralError):
    """HTTP 403."""


class MfaRequiredError(PermissionDeniedError):
    """HTTP 403 PX200: the account needs a one-time password; ``login_token`` continues the login."""

    def __init__(
        self, method: str, url: str, status: int, errors: Optional[list] = None, login_token: str = ""
    ) -> None:
        super().__init__(method, url, status, errors)
        self.login_token = login_token

    def __repr__(self) -> str:
        return f"MfaRequiredError({str(self)!r})"


class NotFoundError(ImpCentralError):
    """HTTP 404."""


class ConflictError(ImpCentralError):
    """HTTP 409."""


class RateLimitError(ImpCentralError):
    """HTTP 429 still returned after the retries."""


class ServerError(ImpCentralError):
    """HTTP 5xx."""


class TransportError(ImpCentralClientError):
    """No answer: connection refused or reset, DNS failure, timeout."""

    def __init__(self, message: str, method: str = "", url: str = "", maybe_sent: bool = True) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        # False when the request provably never reached the server (refused, DNS, connect timeout).
        self.maybe_sent = maybe_sent

    def to_dict(self) -> dict:
        """Same keys as ``ImpCentralError.to_dict`` so callers report both alike."""
        return {
            "method": self.method,
            "url": self.url,
            "status": None,
            "code": None,
            "title": None,
            "detail": str(self),
            "meta": None,
        }


class DeadlineExceededError(TransportError):
    """The caller's overall deadline for one call (retries included) passed."""


class IdentificationError(ImpCentralClientError):
    """An entity identifier could not be resolved to exactly one entity."""

    def __init__(self, message: str, kind: str, value: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.value = value


class InvalidIdentifierError(IdentificationError):
    """An identifier that can name nothing: ``reason`` is ``empty`` (the whole value), ``empty_part`` (a part of
    ``{account}{product}[{group}]``; ``part`` is the kind it names) or ``extra_part`` (more parts than the kind has).
    """

    def __init__(
        self, message: str, kind: str, value: Any, *, reason: str = "empty", part: Optional[str] = None
    ) -> None:
        super().__init__(message, kind, value)
        self.reason = reason
        self.part = part


class EntityNotFoundError(IdentificationError):
    """No entity matches the identifier."""


class AmbiguousEntityError(IdentificationError):
    """Several entities match; ``candidates`` lists them."""

    def __init__(self, message: str, kind: str, value: Any, candidates: list) -> None:
        super().__init__(message, kind, value)
        self.candidates = list(candidates)


_BY_STATUS = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_class_for(status: int) -> type:
    """The ``ImpCentralError`` subclass that matches an HTTP status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return ImpCentralError
