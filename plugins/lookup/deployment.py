# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: deployment
short_description: Find impCentral deployments by any identifier C(impt) accepts
version_added: 1.0.0
author:
  - Electric Imp collection maintainers (@electricimp)
description:
  - Identifies each term exactly as C(impt) does (id, sha, tag or origin)
    and returns the id, or the whole deployment.
options:
  _terms:
    description:
      - Deployment identifiers.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - electricimp.impcentral.connection.plugins
  - electricimp.impcentral.lookup
"""

EXAMPLES = r"""
- name: Every deployment tagged v2.1
  ansible.builtin.debug:
    msg: "{{ query('electricimp.impcentral.deployment', 'v2.1', expect_one=false) }}"
"""

RETURN = r"""
_raw:
  description: One id (or deployment dict, with O(return=entity)) per match.
  type: list
  elements: raw
"""

from ansible_collections.electricimp.impcentral.plugins.plugin_utils.impcentral_lookup import ImpCentralLookup  # noqa: E402


class LookupModule(ImpCentralLookup):
    KIND = "deployment"
    LABEL = "Deployment"
