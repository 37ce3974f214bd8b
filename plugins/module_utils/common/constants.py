"""Fixed values of the impCentral API v5 shared by the client, console and modules."""

import re

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import (
    DG_TYPE_NAMES as _RESOURCE_DG_TYPE_NAMES,
    DG_TYPES as _RESOURCE_DG_TYPES,
)

DEFAULT_ENDPOINT = "https://api.electricimp.com/v5"
VERSION = "1.0.0"
USER_AGENT = f"electricimp-impcentral/{VERSION}"

JSON_API = "application/vnd.api+json"
PLAIN_JSON = "application/json"

PAGE_SIZE = 100
# The fail-fast policy for a request that never reached the server (connection refused, host name not
# resolved, no route): retried this many times, not through the whole backoff. One place for impt and the
# modules alike (issue 25: a refused connection took 16 s to fail a module task, 1 s in impt).
CONNECT_RETRIES = 1
# A log stream's read timeout is never shorter than this: impCentral sends a keep-alive every 15 s, so a short
# read timeout meant for ordinary answers (timeout: 5 in module_defaults) must not drop an idle stream.
STREAM_READ_TIMEOUT = 45.0
REFRESH_AHEAD_SECONDS = 180.0

# impt's Device Group type names <-> API types: the one table lives in resources.
DG_TYPES = dict(_RESOURCE_DG_TYPES)
DG_TYPE_NAMES = dict(_RESOURCE_DG_TYPE_NAMES)

WEBHOOK_MIMES = {
    "json": "application/json",
    "urlencoded": "application/x-www-form-urlencoded",
}
WEBHOOK_MIME_NAMES = {mime: name for name, mime in WEBHOOK_MIMES.items()}
WEBHOOK_EVENTS = ("blessing", "blinkup", "deployment")

LOG_FORMATS = ("text", "json")

# The imp types a device's ``imp_type`` can hold (imp001 to imp007, with the module imp004m; impC001 is the
# cellular imp). Filters on imp types are checked against it so a typo is an error, not an empty answer.
IMP_TYPES = ("imp001", "imp002", "imp003", "imp004m", "imp005", "imp006", "imp007", "impC001")

# Identifier formats (spec section 1.5); used to skip lookups that cannot match.
ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DEVICE_ID_RE = re.compile(r"^[0-9a-f]{12,16}$")
MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
AGENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{12}$")
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
LOGIN_KEY_RE = re.compile(r"^[0-9a-z]{16}$")
TAG_RE = re.compile(r"^[A-Za-z0-9_.*-]+$")

# impCentral accepts at most 4 MiB per code field; a source file is refused above it before it is read.
MAX_CODE_BYTES = 4 * 1024 * 1024
