"""The entities a command shows beside the ones it acts on (owners, groups, builds), fetched before rendering.

A `Catalog` caches entities by id for one command, so each related entity is fetched at most once and
`GET /accounts/me` happens only when an Owner or Creator could be shown. `prepare` fetches, in the order
impt 2.6 does, everything `impt.display` will show; the renderer then reads the `Related` snapshot only.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import rel_ref

from impt import display
from impt.display import INFO_RELATIONS, LIST_RELATIONS, OWNERSHIP_RELATIONS, Related, related_kind

_CLIENT_ATTR = {
    "account": "accounts",
    "product": "products",
    "device_group": "device_groups",
    "device": "devices",
    "deployment": "deployments",
    "webhook": "webhooks",
}


class Catalog:
    """Entities seen or fetched during one command, by kind and id."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.known: dict[tuple[str, str], dict | None] = {}
        self._me: str | None = None
        self._listed: set[str] = set()

    def remember(self, kind: str, resources: list[dict]) -> None:
        for resource in resources:
            self.known[(kind, resource["id"])] = resource

    def get(self, kind: str, entity_id: str) -> dict | None:
        """The entity, fetched once; None when it no longer exists."""
        key = (kind, entity_id)
        if key not in self.known:
            if kind == "account" and entity_id == self.me_id():
                self.known[key] = self.client.accounts.me()
                return self.known[key]
            from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import NotFoundError

            try:
                self.known[key] = getattr(self.client, _CLIENT_ATTR[kind]).get(entity_id)
            except NotFoundError:
                self.known[key] = None
        return self.known[key]

    def prefetch(self, kind: str, ids: set[str]) -> None:
        """Several unknown ids of one kind: one list call is cheaper than one GET each."""
        missing = {i for i in ids if (kind, i) not in self.known}
        if len(missing) < 2 or kind in self._listed or kind not in ("product", "device_group"):
            return
        self._listed.add(kind)
        self.remember(kind, getattr(self.client, _CLIENT_ATTR[kind]).list())

    def me_id(self) -> str:
        if self._me is None:
            self._me = self.client.accounts.me()["id"]
        return self._me

    # -- before rendering ---------------------------------------------------------------------

    def prepare(self, kind: str, resources: list[dict], *, info: bool = False) -> Related:
        """Fetch what `display.entry` shows for these resources; the snapshot to render them with."""
        relations = tuple(name for name, _label in (INFO_RELATIONS if info else LIST_RELATIONS).get(kind, ()))
        self._prefetch_relations(resources, relations)
        for resource in resources:
            for name in relations:
                target = self._fetch_relation(resource, name)
                if target is not None and info and kind == "device" and name == "devicegroup":
                    self._fetch_relation(target, "current_deployment", "deployment")
        return self.snapshot()

    def prepare_relations(self, resource: dict, names: tuple[str, ...]) -> Related:
        """Fetch the resource's related entities of the given relationship names (in that order)."""
        for name in names:
            self._fetch_relation(resource, name)
        return self.snapshot()

    def snapshot(self) -> Related:
        return Related(dict(self.known), self._me)

    def entry(self, kind: str, resource: dict, *, info: bool = False) -> dict[str, Any]:
        """Fetch, then render one entity (`{"<Type>": {...}}`)."""
        return display.entry(kind, resource, self.prepare(kind, [resource], info=info), info=info)

    def entries(self, kind: str, resources: list[dict]) -> list[dict[str, Any]]:
        """Fetch, then render a list of entities."""
        return display.entries(kind, resources, self.prepare(kind, resources))

    def _fetch_relation(self, resource: dict, name: str, kind: str | None = None) -> dict | None:
        ref = rel_ref(resource, name)
        if ref is None:
            return None
        if name in OWNERSHIP_RELATIONS and ref["id"] == self.me_id():
            return None
        return self.get(kind or related_kind(ref), ref["id"])

    def _prefetch_relations(self, resources: list[dict], relations: tuple[str, ...]) -> None:
        for name in relations:
            if name in OWNERSHIP_RELATIONS:
                continue
            by_kind: dict[str, set[str]] = {}
            for resource in resources:
                ref = rel_ref(resource, name)
                if ref is not None:
                    by_kind.setdefault(related_kind(ref), set()).add(ref["id"])
            for kind, ids in by_kind.items():
                self.prefetch(kind, ids)
