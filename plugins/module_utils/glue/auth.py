# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication for the Ansible side: connection options (module params or plugin options) turned into an
``ImpCentralClient``, reusing an impt auth file or a private token cache.

Private to this collection: names here may change in any release.
"""

from __future__ import annotations

import hashlib
import os
from typing import Mapping

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth_file import (
    AuthFileError,
    AuthFileStore,
    read_auth_file,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import DEFAULT_ENDPOINT
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    AuthenticationError,
    ImpCentralClientError,
    MfaRequiredError,
    NotFoundError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.file_trust import check_trusted
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.options import (
    CREDENTIAL_OPTIONS,
    connection_problem,
)


class ConnectionOptionError(ImpCentralClientError, ValueError):
    """A connection option that cannot work, found before any request is sent."""


def saved_endpoint(auth_file: str) -> str | None:
    """The endpoint an existing auth file was written for (None when there is no file yet)."""
    try:
        return read_auth_file(auth_file).get("endpoint")
    except AuthFileError as exc:
        if exc.missing:
            return None
        raise


def default_auth_file() -> str | None:
    """impt's own chain: ./.impt.auth, $IMPT_AUTH_FILE_PATH/.impt.auth, ~/.impt.auth."""
    candidates = [os.path.join(os.getcwd(), ".impt.auth")]
    if os.environ.get("IMPT_AUTH_FILE_PATH"):
        candidates.append(os.path.join(os.environ["IMPT_AUTH_FILE_PATH"], ".impt.auth"))
    candidates.append(os.path.join(os.path.expanduser("~"), ".impt.auth"))
    return next((path for path in candidates if os.path.isfile(path)), None)


def token_cache_path(endpoint: str, username: str | None, password: str | None, login_key: str | None) -> str:
    """A cache file name that cannot be reversed to the credentials and changes with them."""
    secret = ("key", login_key or "") if login_key else ("user", "%s\0%s" % (username or "", password or ""))
    digest = hashlib.pbkdf2_hmac("sha256", secret[1].encode(), ("%s\0%s" % (endpoint, secret[0])).encode(), 20000)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "electricimp.impcentral", digest.hex()[:32] + ".json")


def credentials(options: dict, environ: Mapping[str, str] | None = None) -> tuple:
    """(login_key, username, password, where they came from): the options when any is given, else the
    environment (IMPT_LOGINKEY, else IMPT_USER and IMPT_PASSWORD), else none."""
    given = {name: options.get(name) for name in CREDENTIAL_OPTIONS}
    if any(given.values()):
        what = "login_key" if given["login_key"] else "username/password"
        return given["login_key"], given["username"], given["password"], "the %s option" % what
    env = os.environ if environ is None else environ
    if env.get("IMPT_LOGINKEY"):
        return env["IMPT_LOGINKEY"], None, None, "the IMPT_LOGINKEY environment variable"
    if env.get("IMPT_USER"):
        source = "the IMPT_USER and IMPT_PASSWORD environment variables"
        return None, env["IMPT_USER"], env.get("IMPT_PASSWORD"), source
    return None, None, None, None


def failure_message(exc: Exception, client: ImpCentralClient | None = None) -> str:
    """One line for a failed call: method, URL and status when there was a request; for a failed login, where
    the credential came from; for an account with MFA and no ``otp``, what to give."""
    if isinstance(exc, MfaRequiredError):
        return (
            "The account uses multi-factor authentication: give otp (a current one-time password) to log in "
            "(%s %s -> %s)." % (exc.method, exc.url, exc.status)
        )
    if hasattr(exc, "describe") and getattr(exc, "method", None) and getattr(exc, "url", None):
        message = exc.describe()
    else:  # no request behind it (no credentials, a bad option): no empty "( -> 401)"
        message = str(exc)
    url = str(getattr(exc, "url", "") or "").rstrip("/")
    login = isinstance(exc, AuthenticationError) or (isinstance(exc, NotFoundError) and url.endswith("/auth/token"))
    source = getattr(client, "credential_source", None)
    if login and source:
        message += " The credentials came from %s." % source
    return message


def connect(options: dict, user_agent: str = "ansible", *, waits: bool = False) -> ImpCentralClient:
    """Build a client from the connection options (module params or plugin options).

    ``waits``: the task's job is to wait under its own timeouts (log_tail, release_rollout), so it gets no
    overall deadline; each request keeps its own."""
    problem = connection_problem(options)
    if problem:
        raise ConnectionOptionError(problem)
    login_key, username, password, source = credentials(options)
    auth_file = options.get("auth_file")
    if auth_file and not (login_key or username) and not os.path.exists(auth_file):
        # Without credentials the file is the only way to log in: a missing one is the error, not a 401 later.
        raise ConnectionOptionError(
            "Auth file %s does not exist. Log in with impt auth login, or give login_key or username and password."
            % auth_file
        )
    if not (auth_file or login_key or username):
        auth_file = default_auth_file()
    file_endpoint = saved_endpoint(auth_file) if auth_file else None
    endpoint = options.get("endpoint") or file_endpoint or DEFAULT_ENDPOINT

    store = None
    if auth_file:
        store = AuthFileStore(auth_file, endpoint)
    elif options.get("token_cache", True) and (login_key or (username and password)):
        cache = token_cache_path(endpoint, username, password, login_key)
        # Someone else's cache directory could hand us their tokens (a task run as another account).
        check_trusted(os.path.dirname(cache))
        store = AuthFileStore(cache, endpoint, keep_login_key=False)
    timeout = float(options.get("timeout") or 60)
    connect_timeout = float(options.get("connect_timeout") or 10)
    client = ImpCentralClient(
        endpoint,
        token_store=store,
        timeout=(min(connect_timeout, timeout), timeout),
        validate_certs=options.get("validate_certs", True),
        ca_bundle=options.get("ca_path"),
        max_retries=int(options.get("max_retries") if options.get("max_retries") is not None else 5),
        deadline=float(options.get("deadline") or 55),
        overall_deadline=None if waits else float(options.get("overall_deadline") or 300),
        overall_label="task",
        user_agent=user_agent,
    )
    client.credential_source = source or ("the auth file %s" % auth_file if auth_file else None)
    tokens = store.load() if store else None
    if tokens:
        client.set_tokens(tokens)
    elif auth_file and not (login_key or username):
        # The file exists (checked above) but holds a login for another endpoint: say so, not "401".
        raise ConnectionOptionError(
            "Auth file %s holds a login for %s, not for %s. Set endpoint to match it, log in again with "
            "impt auth login, or give login_key or username and password." % (auth_file, file_endpoint, endpoint)
        )
    otp = options.get("otp")
    if login_key or username:
        client.set_credentials(
            user=None if login_key else username,
            password=None if login_key else password,
            login_key=login_key,
            otp_callback=(lambda: otp) if otp else None,
        )
    return client


def requests_missing() -> bool:
    try:
        import requests  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        return True
    return False
