# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options, defined once: the modules' argspec, their environment fallbacks and the option
names lookups and the log_tail action read are all generated from ``CONNECTION_OPTIONS``.

``tests/unit/plugins/test_glue_options.py`` checks the table against both doc fragments
(``connection.py``), so an option or environment variable cannot exist for one kind of plugin only.
Private to this collection: names here may change in any release.
"""

from __future__ import annotations

import math

from ansible.module_utils.basic import env_fallback

# name -> (type, default, environment variables, no_log, aliases of the modules' option)
CONNECTION_OPTIONS = {
    "endpoint": ("str", None, ("IMPT_ENDPOINT",), False, ()),
    "login_key": ("str", None, ("IMPT_LOGINKEY",), True, ()),
    "username": ("str", None, ("IMPT_USER",), False, ("user",)),
    "password": ("str", None, ("IMPT_PASSWORD",), True, ()),
    "otp": ("str", None, (), True, ()),
    "auth_file": ("path", None, (), False, ()),
    "token_cache": ("bool", True, ("IMPT_TOKEN_CACHE",), False, ()),
    "validate_certs": ("bool", True, (), False, ()),
    "ca_path": ("path", None, (), False, ()),
    "timeout": ("float", 60, (), False, ()),
    "connect_timeout": ("float", 10, ("IMPCENTRAL_CONNECT_TIMEOUT",), False, ()),
    "deadline": ("float", 55, ("IMPCENTRAL_DEADLINE",), False, ()),
    "overall_deadline": ("float", 300, ("IMPCENTRAL_OVERALL_DEADLINE",), False, ()),
    "max_retries": ("int", 5, ("IMPCENTRAL_MAX_RETRIES",), False, ()),
}
CONNECTION_OPTION_NAMES = tuple(CONNECTION_OPTIONS)
# Credentials given on the task (or module_defaults, or a lookup's options) win over the environment as a whole:
# their environment variables are read by ``glue/auth.connect`` only when none of them is given, never mixed.
CREDENTIAL_OPTIONS = ("login_key", "username", "password")


def module_argspec() -> dict:
    """The modules' argspec for the connection options, with the environment fallbacks."""
    spec = {}
    for name, (kind, default, env, no_log, aliases) in CONNECTION_OPTIONS.items():
        entry: dict = {"type": kind}
        if default is not None:
            entry["default"] = default
        if env and name not in CREDENTIAL_OPTIONS:
            entry["fallback"] = (env_fallback, list(env))
        if no_log:
            entry["no_log"] = True
        if aliases:
            entry["aliases"] = list(aliases)
        spec[name] = entry
    return spec


CONNECTION_ARGSPEC = module_argspec()


def connection_problem(options: dict, *, strict: bool = False) -> str | None:
    """What is wrong with the connection options, None when nothing is. ``strict`` (the modules, where
    O(timeout) is the documented option) also refuses a zero timeout; ``connect()`` takes 0 as the default."""
    timeout = options.get("timeout")
    if timeout is not None:
        try:
            number = float(timeout)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0 or (strict and number == 0):
            return "timeout must be a number of seconds greater than 0, not %r." % (timeout,)
    for name in ("connect_timeout", "deadline", "overall_deadline"):
        value = options.get(name)
        if value is not None and not _positive_number(value):
            return "%s must be a number of seconds greater than 0, not %r." % (name, value)
    retries = options.get("max_retries")
    if retries is not None:
        try:
            count = int(retries)
        except (TypeError, ValueError):
            count = -1
        if count < 0 or isinstance(retries, bool):
            return "max_retries must be 0 or a positive whole number, not %r." % (retries,)
    return None


def _positive_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and number > 0
