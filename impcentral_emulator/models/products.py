"""Products (spec §5): unique names per owner; deletion blocked by Device Groups."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from .. import errors, ids
from ..access import get_visible, matching, visible, visible_owner_ids
from ..errors import duplicate, not_found
from ..store import Record
from . import records

if TYPE_CHECKING:
    from . import Models


class Products:
    def __init__(self, models: Models) -> None:
        self.store = models.store

    def get(self, caller: Record, ident: str) -> Record:
        return get_visible(self.store, "product", ident, caller, "product")

    def list(self, caller: Record, wanted: dict[str, str]) -> list[Record]:
        """``GET /products``: what the caller sees, by ``filter[owner.id]``."""
        return matching(visible(self.store, "product", caller), wanted, {"owner.id": "owner_id"})

    def create(  # noqa: PLR0913 (the product's fields plus seed ids)
        self,
        caller: Record,
        name: str,
        description: str | None,
        owner_id: str | None = None,
        *,
        ident: str | None = None,
        rng: random.Random | None = None,
    ) -> Record:
        owner_id = owner_id or caller["id"]
        if owner_id not in visible_owner_ids(caller):
            raise not_found("account", owner_id)
        self._check_unique(owner_id, name)
        if ident and self.store.get("product", ident):
            raise duplicate(f"A product with id '{ident}' already exists.")
        return self.store.put(
            "product", records.product(owner_id, caller["id"], name, description, rng=rng, ident=ident)
        )

    def update(self, product: Record, **changes: str | None) -> Record:
        """`changes`: name and/or description."""
        if "name" in changes:
            self._check_unique(product["owner_id"], str(changes["name"]), product["id"])
            product["name"] = changes["name"]
        if "description" in changes:
            product["description"] = changes["description"]
        product["updated_at"] = ids.iso_timestamp()
        return self.store.put("product", product)

    def delete(self, product: Record) -> None:
        if any(g["product_id"] == product["id"] for g in self.store.values("devicegroup")):
            raise errors.constraint("CX002", "Dependent Devicegroups Exist", errors.DEPENDENT_DEVICEGROUPS)
        self.store.delete("product", product["id"])

    def _check_unique(self, owner_id: str, name: str, except_id: str | None = None) -> None:
        for product in self.store.values("product"):
            if product["owner_id"] == owner_id and product["name"] == name and product["id"] != except_id:
                raise duplicate(errors.DUPLICATE_PRODUCT)
