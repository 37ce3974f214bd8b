# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: device_group
short_description: Find impCentral device groups by any identifier C(impt) accepts
version_added: 1.0.0
author:
  - Electric Imp collection maintainers (@electricimp)
description:
  - Identifies each term exactly as C(impt) does (id, name or C({account}{product}{group}))
    and returns the id, or the whole device group.
options:
  _terms:
    description:
      - Device group identifiers.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - electricimp.impcentral.connection.plugins
  - electricimp.impcentral.lookup
"""

EXAMPLES = r"""
- name: The development group, whole
  ansible.builtin.debug:
    msg: "{{ lookup('electricimp.impcentral.device_group', '{me}{Thermostat}{Thermostat dev}', return='entity') }}"
"""

RETURN = r"""
_raw:
  description: One id (or device group dict, with O(return=entity)) per match.
  type: list
  elements: raw
"""

from ansible_collections.electricimp.impcentral.plugins.plugin_utils.impcentral_lookup import ImpCentralLookup  # noqa: E402


class LookupModule(ImpCentralLookup):
    KIND = "device_group"
    LABEL = "Device group"
