# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CRUD helper every module is a thin declaration over.

Every write goes through ``ImpCentralModule.write()``, the one place check mode is enforced; ``ensure()``
compares only the options the user set and produces the predicted object and the diff; forced deletes
run a ``plans.DeletePlan`` whose preflight fails the task, in check mode too, before any write.

Private to this collection: names here may change in any release.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, _load_params, missing_required_lib

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import ID_RE
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    ImpCentralClientError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.auth import (
    connect,
    failure_message,
    requests_missing,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.options import (
    CONNECTION_ARGSPEC,
    connection_problem,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.plans import (
    DeletePlan,
    DeleteRefusedError,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import flatten

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


def _names(value, identifier) -> bool:
    """Whether an option's value is (or lists) ``identifier``."""
    return value == identifier or (isinstance(value, list) and identifier in value)


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

    def __init__(self, argument_spec: dict, *, identifiers: tuple = (), product_scope: bool = False, **kwargs) -> None:
        """``identifiers``: options naming entities (or names); an empty or blank value, or one in a list,
        fails the task before any request. ``product_scope``: the module's ``product`` option (added to the
        argspec) scopes every Device Group it identifies to that product."""
        spec = dict(CONNECTION_ARGSPEC)
        if product_scope:
            spec["product"] = dict(type="str")
        spec.update(argument_spec)
        self.product_scope = product_scope
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.result: dict = {"changed": False}
        self._client: ImpCentralClient | None = None
        problem = connection_problem(self.params, strict=True)
        if problem:
            self.fail(problem)
        self.refuse_lists_for_strings(spec)
        self.reject_empty(*identifiers, *(("product",) if product_scope else ()))

    def refuse_lists_for_strings(self, spec: dict) -> None:
        """Fail when a string option was given a list or a dict: Ansible would turn ``name: [a, b]`` into the
        text ``"['a', 'b']"`` and create a product called that."""
        raw = _load_params()
        for name, entry in spec.items():
            if entry.get("type", "str") != "str":
                continue
            for key in (name, *entry.get("aliases", ())):
                value = raw.get(key)
                if isinstance(value, (list, dict)):
                    kind = "list" if isinstance(value, list) else "dictionary"
                    self.fail("%s must be a single string, not a %s." % (key, kind))

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
        msg = failure_message(exc, self._client)
        if isinstance(exc, AmbiguousEntityError):
            details["candidates"] = [flatten(c) for c in (getattr(exc, "candidates", None) or [])]
            msg = self.how_to_choose(exc)
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
        matches = identify.find(self.client, kind, value, product=self.scope(kind))
        if len(matches) > 1:
            self.fail_from(identify.ambiguous(kind, value, matches))
        return matches[0] if matches else None

    def one(self, kind: str, value: str) -> dict:
        """Exactly one entity; not found or ambiguous fails the task with the client's message. A Device
        Group is looked for in the ``product`` option's product when the module takes one (``product_scope``)."""
        return identify.one(self.client, kind, value, product=self.scope(kind))

    def scope(self, kind: str) -> str | None:
        return self.params.get("product") if self.product_scope and kind == "device_group" else None

    def how_to_choose(self, exc: AmbiguousEntityError) -> str:
        """Several entities matched: the candidates and how to name one, by the option that named them."""
        option = next((name for name, value in self.params.items() if _names(value, exc.value)), "")
        try:
            return identify.how_to_choose(self.client, exc, option, product_option=self.product_scope)
        except ImpCentralClientError:  # the products could not be read: the candidates' ids still help
            return str(exc)

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

    # -- forced deletes: the shared plans --------------------------------------------------------

    def delete_with(self, plan: DeletePlan, report: bool = True):
        """The ``delete`` callable for ``ensure()`` that runs ``plan``. The preflight runs now, in check mode
        too: what the API would refuse fails the task with every reason before any write. With ``report``,
        ``deleted`` holds the plan in check mode and what was done (also when a step fails) for real."""
        reasons = plan.preflight()
        if reasons:
            if report:
                self.result["deleted"] = plan.summary(done_only=True)
            # impCentral's title and text first (what impt 2.6.1 users see), then our explanation.
            self.fail(str(DeleteRefusedError(reasons)), reasons=list(reasons))
        if report:
            self.result["deleted"] = plan.summary()

        def execute(_current: dict) -> None:
            try:
                plan.execute(self.client)
            finally:
                if report:
                    self.result["deleted"] = plan.summary(done_only=True)

        return execute
