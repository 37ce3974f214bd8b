# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: device
short_description: Find impCentral devices by any identifier C(impt) accepts
version_added: 1.0.0
author:
  - Electric Imp collection maintainers (@electricimp)
description:
  - Identifies each term exactly as C(impt) does (id, MAC address, agent id or name)
    and returns the id, or the whole device.
options:
  _terms:
    description:
      - Device identifiers.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - electricimp.impcentral.connection.plugins
  - electricimp.impcentral.lookup
"""

EXAMPLES = r"""
- name: Ids of two bench devices
  ansible.builtin.debug:
    msg: "{{ query('electricimp.impcentral.device', 'bench-1', '0c:2a:69:05:0d:62') }}"
"""

RETURN = r"""
_raw:
  description: One id (or device dict, with O(return=entity)) per match.
  type: list
  elements: raw
"""

from ansible_collections.electricimp.impcentral.plugins.plugin_utils.impcentral_lookup import ImpCentralLookup  # noqa: E402


class LookupModule(ImpCentralLookup):
    KIND = "device"
    LABEL = "Device"
