# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: account
short_description: Find impCentral accounts by any identifier C(impt) accepts
version_added: 1.0.0
author:
  - Electric Imp collection maintainers (@electricimp)
description:
  - Identifies each term exactly as C(impt) does (id, email, username or V(me))
    and returns the id, or the whole account.
options:
  _terms:
    description:
      - Account identifiers. V(me) when none are given.
    type: list
    elements: str
    required: false
extends_documentation_fragment:
  - electricimp.impcentral.connection.plugins
  - electricimp.impcentral.lookup
"""

EXAMPLES = r"""
- name: My account id
  ansible.builtin.debug:
    msg: "{{ lookup('electricimp.impcentral.account') }}"
"""

RETURN = r"""
_raw:
  description: One id (or account dict, with O(return=entity)) per match.
  type: list
  elements: raw
"""

from ansible_collections.electricimp.impcentral.plugins.plugin_utils.impcentral_lookup import ImpCentralLookup  # noqa: E402


class LookupModule(ImpCentralLookup):
    KIND = "account"
    LABEL = "Account"
    DEFAULT_TERMS = ("me",)
