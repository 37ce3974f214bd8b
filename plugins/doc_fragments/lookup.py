# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options every identification lookup shares (return, expect_one, on_missing)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  return:
    description:
      - V(id) returns ids, V(entity) the entities as the modules return them.
    type: str
    choices: [id, entity]
    default: id
  expect_one:
    description:
      - Fail when a term matches more than one entity. With V(false), every match is returned.
    type: bool
    default: true
  on_missing:
    description:
      - What to do when a term matches nothing. V(skip) and V(warn) return nothing for that term.
    type: str
    choices: [error, warn, skip]
    default: error
notes:
  - Runs on the controller. The results are marked unsafe (never templated again).
"""
