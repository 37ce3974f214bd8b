# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole ``main()`` of the read-only ``*_info`` modules.

Private to this collection: names here may change in any release.
"""

from __future__ import annotations

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.crud import ImpCentralModule
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import flatten
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify


def run_info(
    argument_spec: dict,
    key: str,
    listing,
    *,
    identifier: tuple | None = None,
    refs: dict | None = None,
    narrow=None,
    view=None,
    match: tuple = (),
    before=None,
    product_scope: bool = False,
) -> None:
    """The whole ``main()`` of a read-only info module: it never calls ``write()``, so ``changed`` stays false.

    * ``identifier``: ``(option, kind)`` or ``(option, kind, text)`` with ``text(params)`` the value to
      identify; when the option is set, the items are ``identify.find(kind, text)`` (none is no error)
      instead of ``listing``.
    * ``refs``: ``{option: kind}``, filters naming other entities, turned into ids with ``one()`` (not
      found or ambiguous fails the task); unset options are None. Without ``narrow`` they are resolved
      only when listing (an identifier ignores the filters and spends no request on them).
    * ``listing(m, ids)``: the list call, ``ids`` the resolved ``refs``.
    * ``narrow(m, ids, item)``: the filters applied to what the identifier found (raw resources); also
      resolves ``refs`` before the identification.
    * ``view(m, item)``: one raw resource as returned (default: ``flatten``).
    * ``match``: options that, when set, keep only the views with that same value.
    * ``before(m)``: fills further results first (e.g. a single entity next to the list).
    * ``product_scope``: the ``product`` option scopes the Device Groups named (see ``ImpCentralModule``).
    """
    names = ((identifier[0],) if identifier else ()) + tuple(refs or ())
    module = ImpCentralModule(argument_spec, identifiers=names, product_scope=product_scope)

    def gather(m: ImpCentralModule) -> None:
        p = m.params
        if before:
            before(m)
        option, kind = identifier[:2] if identifier else (None, None)
        by_identifier = bool(option and p[option])
        ids: dict = {}
        if narrow or not by_identifier:
            ids = {name: m.one(ref_kind, p[name])["id"] if p[name] else None for name, ref_kind in (refs or {}).items()}
        if by_identifier:
            text = identifier[2](p) if len(identifier) > 2 else p[option]
            items = identify.find(m.client, kind, text)
            if narrow:
                items = [item for item in items if narrow(m, ids, item)]
        else:
            items = listing(m, ids)
        views = [view(m, item) if view else flatten(item) for item in items]
        m.result[key] = [v for v in views if all(p[name] in (None, v.get(name)) for name in match)]

    module.run(gather)
