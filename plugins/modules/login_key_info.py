#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: login_key_info
short_description: List impCentral login keys
version_added: 1.0.0
description:
  - Lists the account's login keys. Their ids are credentials, so only a hint of the last four characters
    (C(id_hint)) is returned unless O(include_key_ids=true).
author:
  - Electric Imp collection maintainers (@electricimp)
options:
  include_key_ids:
    description:
      - Also return each key's full id. Set C(no_log) on such a task.
    type: bool
    default: false
extends_documentation_fragment:
  - electricimp.impcentral.connection
  - electricimp.impcentral.attributes.info_module
  - electricimp.impcentral.attributes.actiongroup
"""

EXAMPLES = r"""
- name: My login keys
  electricimp.impcentral.login_key_info:
  register: keys
"""

RETURN = r"""
login_keys:
  description:
    - The keys, as M(electricimp.impcentral.login_key) returns one.
    - Every attribute the API returned is included, server-managed ones too (only the diffs of the
      state modules leave those out).
  returned: always
  type: list
  elements: dict
  contains:
    created_at:
      description: When it was created (ISO 8601), as the API returned it.
      type: str
      sample: "2026-01-01T00:00:00.000Z"
    updated_at:
      description: When it last changed (ISO 8601), as the API returned it.
      type: str
      sample: "2026-01-01T00:00:00.000Z"
"""

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.info import run_info  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import flatten  # noqa: E402


def main() -> None:
    run_info(
        dict(
            include_key_ids=dict(type="bool", default=False),
        ),
        "login_keys",
        lambda m, ids: m.client.login_keys.list(),
        view=hinted,
    )


def hinted(m, item: dict) -> dict:
    """The key with C(id_hint); its id (a credential) only when asked for."""
    view = flatten(item)
    view["id_hint"] = "…" + str(view["id"])[-4:]
    if not m.params["include_key_ids"]:
        view.pop("id")
    return view


if __name__ == "__main__":
    main()
