"""Products (``/products``)."""

from typing import Any, Callable, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.natural import find_natural
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import seg


class Products:
    """Wire calls for products."""

    def __init__(self, transport: Any, me: Callable[[], dict]) -> None:
        self.transport = transport
        self.me = me  # the caller's account, cached by Accounts

    def list(self, owner: Any = None) -> list:
        """Products, optionally of the given owner account id(s)."""
        return self.transport.list_all("/products", {"filter[owner.id]": owner})

    def get(self, product_id: str) -> dict:
        """One product."""
        return self.transport.get_data(f"/products/{seg(product_id)}")

    def create(self, name: str, description: Optional[str] = None, owner: Optional[str] = None) -> dict:
        """A new product; ``owner`` (an account id) creates it in a collaborator's account."""
        attributes: dict = {"name": name}
        if description is not None:
            attributes["description"] = description
        data: dict = {"type": "product", "attributes": attributes}
        if owner:
            data["relationships"] = {"owner": {"type": "account", "id": owner}}
        return self.transport.create("/products", {"data": data}, lambda: self._named(name, owner))

    def _named(self, name: str, owner: Optional[str]) -> Optional[dict]:
        """The product called ``name`` in ``owner``'s account (the caller's when None): names are unique there."""
        return find_natural(self.transport, "product", owner or self.me()["id"], name=name)

    def update(self, product_id: str, name: Optional[str] = None, description: Optional[str] = None) -> dict:
        """Change only the attributes given."""
        attributes: dict = {}
        if name is not None:
            attributes["name"] = name
        if description is not None:
            attributes["description"] = description
        body = {"data": {"type": "product", "id": product_id, "attributes": attributes}}
        return self.transport.call("PATCH", f"/products/{seg(product_id)}", body=body)["data"]

    def delete(self, product_id: str) -> None:
        """Delete a product (the API refuses while it has Device Groups)."""
        self.transport.call("DELETE", f"/products/{seg(product_id)}")
