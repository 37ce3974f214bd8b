# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attribute fragments: what every module supports, in one place."""

from __future__ import annotations


class ModuleDocFragment:
    # A module that changes impCentral.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Predicts the result and the diff without sending any write request.
    support: full
  diff_mode:
    description: Returns the entity before and after the change (server-managed timestamps left out).
    support: full
"""

    # A module that only reads.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Only reads, so it runs unchanged in check mode.
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: N/A
    details:
      - This action does not modify state.
"""

    # Membership of the action group used with module_defaults.
    ACTIONGROUP = r"""
options: {}
attributes:
  action_group:
    description:
      - Use C(group/electricimp.impcentral.impcentral) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - electricimp.impcentral.impcentral
"""
