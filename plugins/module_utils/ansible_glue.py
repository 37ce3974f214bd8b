# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ansible side of the collection, in one place.

* ``CONNECTION_ARGSPEC`` and ``connect()``: the connection options, defined once, turned into an
  ``ImpCentralClient`` (auth file reuse, private token cache).
* ``ImpCentralModule``: the CRUD helper every module is a thin declaration over. Every write goes
  through ``write()``, the one place check mode is enforced; ``ensure()`` compares only the options
  the user set and produces the predicted object and the diff.

Private to this collection: names here may change in any release.
"""

from __future__ import annotations

import hashlib
import math
import os

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.electricimp.impcentral.plugins.module_utils.auth_file import (  # noqa: F401  pylint: disable=unused-import
    AuthFileError,
    AuthFileStore,
    read_auth_file,
    write_private_file,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.constants import (
    DEFAULT_ENDPOINT,
    DG_TYPE_NAMES,
    DG_TYPES,
    ID_RE,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    ImpCentralClientError,
    NotFoundError,
)

CONNECTION_ARGSPEC = dict(
    endpoint=dict(type="str", fallback=(env_fallback, ["IMPT_ENDPOINT"])),
    login_key=dict(type="str", no_log=True, fallback=(env_fallback, ["IMPT_LOGINKEY"])),
    username=dict(type="str", aliases=["user"], fallback=(env_fallback, ["IMPT_USER"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["IMPT_PASSWORD"])),
    otp=dict(type="str", no_log=True),
    auth_file=dict(type="path"),
    token_cache=dict(type="bool", default=True),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="float", default=60),
    max_retries=dict(type="int", default=5, fallback=(env_fallback, ["IMPCENTRAL_MAX_RETRIES"])),
)
CONNECTION_OPTIONS = tuple(CONNECTION_ARGSPEC)

# Server-managed values that would only make a diff noisy.
NOISE = frozenset(
    (
        "created_at",
        "updated_at",
        "device_state_changed_at",
        "agent_state_changed_at",
        "last_enrolled_at",
        "device_online",
        "agent_running",
        "free_memory",
        "rssi",
        "ip_address",
        "usages",
    )
)
RENAMED_RELATIONSHIPS = {"devicegroup": "device_group"}


# ---------------------------------------------------------------------------------------------
# Connection
# ---------------------------------------------------------------------------------------------


class ConnectionOptionError(ImpCentralClientError, ValueError):
    """A connection option that cannot work, found before any request is sent."""


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
    retries = options.get("max_retries")
    if retries is not None:
        try:
            count = int(retries)
        except (TypeError, ValueError):
            count = -1
        if count < 0 or isinstance(retries, bool):
            return "max_retries must be 0 or a positive whole number, not %r." % (retries,)
    return None


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


def connect(options: dict, user_agent: str = "ansible") -> ImpCentralClient:
    """Build a client from the connection options (module params or plugin options)."""
    problem = connection_problem(options)
    if problem:
        raise ConnectionOptionError(problem)
    login_key, username, password = options.get("login_key"), options.get("username"), options.get("password")
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
        store = AuthFileStore(cache, endpoint, keep_login_key=False)
    timeout = float(options.get("timeout") or 60)
    client = ImpCentralClient(
        endpoint,
        token_store=store,
        timeout=(min(10.0, timeout), timeout),
        validate_certs=options.get("validate_certs", True),
        ca_bundle=options.get("ca_path"),
        max_retries=int(options.get("max_retries") if options.get("max_retries") is not None else 5),
        user_agent=user_agent,
    )
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


# ---------------------------------------------------------------------------------------------
# Shapes: resources as the user sees them
# ---------------------------------------------------------------------------------------------


def flatten(resource: dict | None) -> dict:
    """A resource as one flat dict: id, type (impt's name for groups), every attribute the API returned
    (``created_at``, ``updated_at`` and other server-managed values included; only diffs drop ``NOISE``),
    relationship ids."""
    if not resource:
        return {}
    kind = resource.get("type")
    out = {"id": resource.get("id"), "type": DG_TYPE_NAMES.get(kind, kind)}
    out.update(resource.get("attributes") or {})
    for name in resource.get("relationships") or {}:
        out[RENAMED_RELATIONSHIPS.get(name, name)] = relationship_id(resource, name)
    return out


def relationship_id(resource: dict | None, name: str) -> str | None:
    rel = ((resource or {}).get("relationships") or {}).get(name)
    if isinstance(rel, dict) and isinstance(rel.get("data"), dict):
        rel = rel["data"]
    return rel.get("id") if isinstance(rel, dict) else None


def ref(resource: dict) -> dict:
    return {"type": resource["type"], "id": resource["id"]}


def same(have, want) -> bool:
    """Equal for the user's purpose: tags and other string lists are compared as sets."""
    if isinstance(have, list) and isinstance(want, list):
        return sorted(map(str, have)) == sorted(map(str, want))
    if isinstance(have, dict) and isinstance(want, dict):
        return have.keys() == want.keys() and all(same(have[k], want[k]) for k in want)
    if isinstance(want, (int, float)) and not isinstance(want, bool) and isinstance(have, str):
        return have == str(want)
    return have == want


def without_noise(view: dict | None) -> dict:
    return {k: v for k, v in (view or {}).items() if k not in NOISE}


def api_dg_type(name: str) -> str:
    return DG_TYPES.get(name, name)


def blank(value) -> bool:
    """An empty or whitespace-only string."""
    return isinstance(value, str) and not value.strip()


HIERARCHICAL_FORMS = {"product": "{account}{product}", "device_group": "{account}{product}{device group}"}


def identifier_form(text: str | None, kind: str = "product") -> str | None:
    """Why ``text`` cannot be the name of a new product or device group: it has the hierarchical form
    ``{...}{...}`` or the form of an id, so it is an identifier that matched nothing (None when it is a name)."""
    if not text:
        return None
    if text.startswith("{") and text.endswith("}") and "}{" in text:
        return "the hierarchical form %s" % HIERARCHICAL_FORMS.get(kind, "{...}{...}")
    if ID_RE.match(text):
        return "the form of an id"
    return None


# ---------------------------------------------------------------------------------------------
# The module helper
# ---------------------------------------------------------------------------------------------


class ImpCentralModule:
    """AnsibleModule + client + identification + the one CRUD path (check mode enforced in write())."""

    def __init__(self, argument_spec: dict, *, identifiers: tuple = (), **kwargs) -> None:
        """``identifiers``: options naming entities (or names); an empty or blank value, or one in a list,
        fails the task before any request."""
        spec = dict(CONNECTION_ARGSPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.result: dict = {"changed": False}
        self._client: ImpCentralClient | None = None
        problem = connection_problem(self.params, strict=True)
        if problem:
            self.fail(problem)
        self.reject_empty(*identifiers)

    def refuse_identifier_as_name(self, label: str, value: str, kind: str) -> None:
        """Fail when ``value``, about to become the name of a new entity, has the form of an identifier:
        it named an entity that does not exist, and creating one called that is never what was meant."""
        form = identifier_form(value, kind)
        if form:
            self.fail(
                '%s "%s" is not found. A name in %s is an identifier that matched nothing; '
                "no %s is created with it." % (label, value, form, label.lower())
            )

    def reject_empty(self, *names: str) -> None:
        """Fail, before any request, when one of the options ``names`` is an empty (or blank) string or a
        list holding one: an empty identifier names nothing, and must never fall back to anything else."""
        for name in names:
            value = self.params.get(name)
            if isinstance(value, list):
                if any(blank(v) for v in value):
                    self.fail("%s must not contain an empty value." % name)
            elif blank(value):
                self.fail("%s must not be empty." % name)

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def client(self) -> ImpCentralClient:
        if self._client is None:
            if requests_missing():
                self.module.fail_json(msg=missing_required_lib("requests"))
            self._client = connect(self.params, user_agent="ansible-module")
        return self._client

    @property
    def writes_sent(self) -> int:
        """Write requests the API accepted (logins aside), so a failure reports ``changed`` truthfully."""
        return self._client.transport.writes_accepted if self._client is not None else 0

    def run(self, action) -> None:
        """Run ``action(self)`` and exit; client errors become fail_json with method, URL, status."""
        try:
            action(self)
        except ImpCentralClientError as exc:
            self.fail_from(exc)
        self.module.exit_json(**self.result)

    def fail(self, msg: str, **details) -> None:
        """fail_json with the result so far; ``changed`` only when a write was accepted (or, in check mode,
        predicted) before the failure."""
        result = dict(self.result)
        result.update(details)
        result["changed"] = bool(self.result.get("changed") or self.writes_sent)
        self.module.fail_json(msg=msg, **result)

    def fail_from(self, exc: Exception) -> None:
        details = exc.to_dict() if hasattr(exc, "to_dict") else {}
        details = {k: v for k, v in details.items() if k not in ("msg", "changed", "failed")}
        if hasattr(exc, "describe") and getattr(exc, "method", None) and getattr(exc, "url", None):
            msg = exc.describe()
        else:  # no request behind it (no credentials, a bad option): no empty "( -> 401)"
            msg = str(exc)
        if isinstance(exc, AmbiguousEntityError):
            details["candidates"] = [flatten(c) for c in (getattr(exc, "candidates", None) or [])]
        self.fail(msg, **details)

    def write(self, call, *args, **kwargs):
        """Send one write request, unless in check mode. The only place check mode is enforced.

        ``changed`` becomes true when the write is done (predicted, in check mode); when it fails, only if
        the API accepted a write request before the failure."""
        if self.check_mode:
            self.result["changed"] = True
            return None
        try:
            answer = call(*args, **kwargs)
        finally:
            if self.writes_sent:
                self.result["changed"] = True
        self.result["changed"] = True
        return answer

    # -- identification (one path: the client's identify) ---------------------------------------

    def find(self, kind: str, value: str) -> dict | None:
        """The one entity ``value`` names, None when nothing matches, fail when several do."""
        matches = self.client.identify.find(kind, value)
        if len(matches) > 1:
            self.fail(
                '%s "%s" matches %d entities: %s. Use an id or the hierarchical form.'
                % (kind.replace("_", " ").capitalize(), value, len(matches), ", ".join(x["id"] for x in matches)),
                candidates=[flatten(x) for x in matches],
            )
        return matches[0] if matches else None

    def one(self, kind: str, value: str) -> dict:
        """Exactly one entity; not found or ambiguous fails the task with the client's message."""
        return self.client.identify.one(kind, value)

    def parent(self, kind: str, value: str) -> dict | None:
        """Like one(), but a missing parent is None when that is no error: with state=absent there is
        nothing to delete; in check mode an earlier task would have created it (see predict_missing())."""
        try:
            return self.one(kind, value)
        except EntityNotFoundError:
            if self.params.get("state") == "absent":
                return None
            if not self.check_mode:
                raise
            self.predict_missing(kind, value)
            return None

    def one_or_predicted(self, kind: str, value: str) -> dict | None:
        """Like one(), but in check mode an entity that does not exist yet is None (noted in the result):
        an earlier task of the same play would have created it. Outside check mode it stays an error."""
        try:
            return self.one(kind, value)
        except EntityNotFoundError:
            if not self.check_mode:
                raise
            self.predict_missing(kind, value)
            return None

    def predict_missing(self, kind: str, value: str) -> None:
        """Check mode only: note in the result, not as a warning, that ``value`` does not exist yet and the
        prediction assumes an earlier task creates it (``predicted: true``, ``predicted_missing``)."""
        self.result["predicted"] = True
        missing = self.result.setdefault("predicted_missing", [])
        entry = {"kind": kind, "name": value}
        if entry not in missing:
            missing.append(entry)

    # -- CRUD ----------------------------------------------------------------------------------

    def ensure(
        self,
        key: str,
        current: dict | None,
        wanted: dict,
        *,
        state: str = "present",
        create=None,
        update=None,
        delete=None,
        predicted: dict | None = None,
        before_write=None,
    ) -> dict:
        """Make ``current`` match ``wanted`` (only the options the user set, flat form).

        ``create()`` returns the new resource, ``update(current, changes)`` the updated one (or None),
        ``delete(current)`` nothing. ``before_write(action)`` (``"create"``, ``"update"`` or ``"delete"``),
        when given, runs before the write in check mode too: what would make the write fail (a missing
        password, ...) fails both runs alike, before any request is sent. Returns the (predicted, in check
        mode) flat object, also stored in the result under ``key``; fills ``diff`` in diff mode.
        """
        wanted = {k: v for k, v in wanted.items() if v is not None}
        before = flatten(current) if current else {}
        ready = before_write or (lambda _action: None)
        if state == "absent":
            if current:
                ready("delete")
                self.write(delete, current)
            after = {}
        elif not current:
            ready("create")
            created = self.write(create)
            after = flatten(created) if created else dict(predicted or {}, id=None, **wanted)
        else:
            changes = {k: v for k, v in wanted.items() if not same(before.get(k), v)}
            after = before
            if changes:
                ready("update")
                updated = self.write(update, current, changes)
                after = flatten(updated) if updated else dict(before, **changes)
        self.result[key] = after
        self.set_diff(before, after)
        return after

    def set_diff(self, before, after) -> None:
        if self.module._diff:  # pylint: disable=protected-access
            if isinstance(before, dict):
                before, after = without_noise(before), without_noise(after)
            self.result["diff"] = {"before": before, "after": after}

    def user_set(self, *names: str) -> dict:
        """The options among ``names`` the user gave (not None)."""
        return {name: self.params[name] for name in names if self.params.get(name) is not None}

    # -- forced deletes, in impt's order (impt-behaviour.md section 7) ---------------------------

    def plan_group_delete(
        self, group: dict, force: bool, unbond_key: str | None = None, plan: DeletePlan | None = None
    ) -> DeletePlan:
        """Reads now, writes later: unassign devices, unflag flagged deployments, delete the group."""
        plan = plan or DeletePlan()
        client = self.client
        if force:
            devices = [d["id"] for d in client.devices.list(device_group=group["id"])]
            if devices:
                plan.add(
                    "unassign",
                    "devices_unassigned",
                    devices,
                    lambda: client.device_groups.remove_devices(group["id"], devices, unbond_key=unbond_key),
                )
            for dep in client.deployments.list(device_group=group["id"], flagged=True):
                plan.unflag(client, dep)
        has_target = relationship_id(group, "production_target") or relationship_id(group, "dut_target")
        plan.add(
            "delete_targeting" if has_target else "delete_groups",
            "device_groups",
            [group["id"]],
            lambda: client.device_groups.delete(group["id"]),
        )
        return plan

    def plan_product_delete(self, product: dict, force: bool, builds: bool) -> DeletePlan:
        """impt's product delete. The API deletes a group's deployments together with the group (spec 6.3),
        so with ``builds`` only the deployments no deleted group takes along are deleted one by one:
        zombies (no ``devicegroup``) and deployments of groups that are not deleted (a 404 is fine)."""
        plan = DeletePlan()
        client = self.client
        deleted_groups: set = set()
        if force:
            for group in client.device_groups.list(product=product["id"]):
                self.plan_group_delete(group, True, plan=plan)
                deleted_groups.add(group["id"])
        plan.add("delete_main", None, [], lambda: client.products.delete(product["id"]))
        if builds:
            for dep in client.deployments.list(product=product["id"]):
                if relationship_id(dep, "devicegroup") in deleted_groups:
                    plan.report["deployments"].append(dep["id"])
                    continue
                if (dep.get("attributes") or {}).get("flagged"):
                    plan.unflag(client, dep)
                plan.add(
                    "delete_builds", "deployments", [dep["id"]], _ignore_missing(client.deployments.delete, dep["id"])
                )
        return plan


class DeletePlan:
    """Writes collected by phase and run in impt's fixed order, so check mode can report them unsent."""

    PHASES = ("unassign", "unflag", "delete_targeting", "delete_groups", "delete_main", "delete_builds")

    def __init__(self) -> None:
        self.steps: dict = {phase: [] for phase in self.PHASES}
        self.report: dict = {
            "device_groups": [],
            "devices_unassigned": [],
            "deployments_unflagged": [],
            "deployments": [],
        }

    def add(self, phase: str, category: str | None, ids: list, call) -> None:
        self.steps[phase].append(call)
        if category:
            self.report[category].extend(ids)

    def unflag(self, client, dep: dict) -> None:
        if dep["id"] not in self.report["deployments_unflagged"]:
            self.add(
                "unflag",
                "deployments_unflagged",
                [dep["id"]],
                lambda: client.deployments.update(dep["id"], flagged=False),
            )

    def summary(self) -> dict:
        return {k: list(v) for k, v in self.report.items()}

    def execute(self, _current: dict | None = None) -> None:
        for phase in self.PHASES:
            for call in self.steps[phase]:
                call()


def _ignore_missing(call, *args):
    """A delete that is already done (e.g. the group's deletion took its deployments) is fine."""

    def run():
        try:
            call(*args)
        except NotFoundError:
            pass

    return run


# ---------------------------------------------------------------------------------------------
# Info modules
# ---------------------------------------------------------------------------------------------


def run_info(
    argument_spec: dict,
    key: str,
    listing,
    *,
    identifier: tuple | None = None,
    refs: dict | None = None,
    narrow=None,
    view=None,
    match: tuple = (),
    before=None,
) -> None:
    """The whole ``main()`` of a read-only info module: it never calls ``write()``, so ``changed`` stays false.

    * ``identifier``: ``(option, kind)`` or ``(option, kind, text)`` with ``text(params)`` the value to
      identify; when the option is set, the items are ``identify.find(kind, text)`` (none is no error)
      instead of ``listing``.
    * ``refs``: ``{option: kind}``, filters naming other entities, turned into ids with ``one()`` (not
      found or ambiguous fails the task); unset options are None. Without ``narrow`` they are resolved
      only when listing (an identifier ignores the filters and spends no request on them).
    * ``listing(m, ids)``: the list call, ``ids`` the resolved ``refs``.
    * ``narrow(m, ids, item)``: the filters applied to what the identifier found (raw resources); also
      resolves ``refs`` before the identification.
    * ``view(m, item)``: one raw resource as returned (default: ``flatten``).
    * ``match``: options that, when set, keep only the views with that same value.
    * ``before(m)``: fills further results first (e.g. a single entity next to the list).
    """
    names = ((identifier[0],) if identifier else ()) + tuple(refs or ())
    module = ImpCentralModule(argument_spec, identifiers=names)

    def gather(m: ImpCentralModule) -> None:
        p = m.params
        if before:
            before(m)
        option, kind = identifier[:2] if identifier else (None, None)
        by_identifier = bool(option and p[option])
        ids: dict = {}
        if narrow or not by_identifier:
            ids = {name: m.one(ref_kind, p[name])["id"] if p[name] else None for name, ref_kind in (refs or {}).items()}
        if by_identifier:
            text = identifier[2](p) if len(identifier) > 2 else p[option]
            items = m.client.identify.find(kind, text)
            if narrow:
                items = [item for item in items if narrow(m, ids, item)]
        else:
            items = listing(m, ids)
        views = [view(m, item) if view else flatten(item) for item in items]
        m.result[key] = [v for v in views if all(p[name] in (None, v.get(name)) for name in match)]

    module.run(gather)
