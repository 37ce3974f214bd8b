# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one base of the entity lookups: identify each term as impt does, shape the answer.

Private to this collection: names here may change in any release.
"""

from __future__ import annotations

from ansible.errors import AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.auth import (
    connect,
    failure_message,
    requests_missing,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.options import CONNECTION_OPTION_NAMES
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import flatten
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import ImpCentralClientError
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify

display = Display()


class ImpCentralLookup(LookupBase):
    """Subclasses set KIND (an identification kind) and LABEL."""

    KIND = ""
    LABEL = ""
    DEFAULT_TERMS: tuple = ()

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if requests_missing():
            raise AnsibleLookupError(missing_required_lib("requests"))
        options = {name: self.templated(self.get_option(name)) for name in CONNECTION_OPTION_NAMES}
        try:
            client = connect(options, user_agent="ansible-lookup")
        except ImpCentralClientError as exc:  # a bad connection option or auth file, before any request
            raise AnsibleLookupError("%s lookup failed: %s" % (self.LABEL, exc)) from None
        answer = []
        for term in terms or self.DEFAULT_TERMS:
            answer.extend(self.lookup_one(client, term))
        return wrap_var(answer)

    def templated(self, value):
        """An option set through a variable (``impcentral_password: "{{ vault_pw }}"``) arrives as the raw
        template: render it as the task's own arguments are (hashi_vault's lookups do the same)."""
        if isinstance(value, str) and "{{" in value and self._templar is not None:
            return self._templar.template(value)
        return value

    def lookup_one(self, client, term) -> list:
        try:
            matches = identify.find(client, self.KIND, term)
        except ImpCentralClientError as exc:
            message = failure_message(exc, client)
            raise AnsibleLookupError('%s lookup of "%s" failed: %s' % (self.LABEL, term, message)) from None
        if not matches:
            message = '%s "%s" is not found.' % (self.LABEL, term)
            policy = self.get_option("on_missing")
            if policy == "error":
                raise AnsibleLookupError(message)
            if policy == "warn":
                display.warning(message)
            return []
        if self.get_option("expect_one") and len(matches) > 1:
            raise AnsibleLookupError(
                '%s "%s" matches %d entities (%s); use an id or the hierarchical form.'
                % (self.LABEL, term, len(matches), ", ".join(m["id"] for m in matches))
            )
        if self.get_option("return") == "id":
            return [m["id"] for m in matches]
        return [flatten(m) for m in matches]
