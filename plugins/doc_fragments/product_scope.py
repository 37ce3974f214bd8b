# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``product`` option of every module that names Device Groups: one description, one meaning."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  product:
    description:
      - Product (id, name or C({account}{product})) in which the Device Groups this task names are looked for,
        so a group name that several products share names one group.
      - Without it, a name that matches groups of several products fails the task, listing them (ids and products)
        and the ways to choose one; in check mode too.
      - The hierarchical form C({account}{product}{group}) does the same in one value; quote it in YAML
        (V("{me}{Thermostat}{dev}")). Built from variables, keep Jinja from reading its braces, for example
        C("{{ '{me}{' ~ product_name ~ '}{dev}' }}").
    type: str
"""
