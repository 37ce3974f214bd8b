#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: account_info
short_description: Show the impCentral account and its collaborators
version_added: 1.0.0
description:
  - Returns the current account (or the one O(account) names) and every account the caller collaborates on.
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  account:
    description:
      - Account identifier (id, email, username or V(me)).
    type: str
    default: me
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes.info_module
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: Who am I
  electricimp.impcentral.account_info:
  register: me
"""

RETURN = r"""
account:
  description: The account.
  returned: always
  type: dict
  contains:
    id:
      description: Account id.
      type: str
    username:
      description: Username.
      type: str
    email:
      description: Email.
      type: str
accounts:
  description:
    - The caller's account and every account it collaborates on.
    - Every attribute the API returned is included, server-managed ones too (C(created_at), C(updated_at)).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.info import run_info  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import flatten  # noqa: E402


def main() -> None:
    run_info(
        dict(
            account=dict(type="str", default="me"),
        ),
        "accounts",
        lambda m, ids: m.client.accounts.list(),
        before=lambda m: m.result.update(account=flatten(m.one("account", m.params["account"]))),
    )


if __name__ == "__main__":
    main()
