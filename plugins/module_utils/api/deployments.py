"""Deployments (``/deployments``)."""

import time
from typing import Any, Optional

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import parse_timestamp
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.refs import device_group_ref
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import attributes as attributes_of
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import rel_ref
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.transport import seg

# How far the server's clock may lag ours when telling our new deployment from an older one.
CLOCK_SKEW = 120.0


def _flagged_filter(flagged: Any) -> Any:
    if flagged is None:
        return None
    if isinstance(flagged, str):
        return flagged.lower()
    return bool(flagged)


class Deployments:
    """Wire calls for deployments."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def list(  # noqa: PLR0917 - the contract's positional filter order
        self,
        owner: Any = None,
        creator: Any = None,
        product: Any = None,
        device_group: Any = None,
        sha: Any = None,
        flagged: Any = None,
        flagger: Any = None,
        tags: Any = None,
    ) -> list:
        """Deployments; ``tags`` as a list is OR-ed, a comma string is the API's AND."""
        filters = {
            "filter[owner.id]": owner,
            "filter[creator.id]": creator,
            "filter[product.id]": product,
            "filter[devicegroup.id]": device_group,
            "filter[sha]": sha,
            "filter[flagged]": _flagged_filter(flagged),
            "filter[flagger.id]": flagger,
            "filter[tags]": tags,
        }
        return self.transport.list_all("/deployments", filters)

    def get(self, deployment_id: str) -> dict:
        """One deployment, with its code."""
        return self.transport.get_data(f"/deployments/{seg(deployment_id)}")

    def create(
        self,
        device_group: Any,
        *,
        device_code: str = "",
        agent_code: str = "",
        description: Optional[str] = None,
        origin: Optional[str] = None,
        flagged: Optional[bool] = None,
        tags: Optional[list] = None,
    ) -> dict:
        """A new deployment for ``device_group`` (a ref; a bare id costs one GET for its type)."""
        dg_ref = device_group_ref(self.transport, device_group)
        attributes: dict = {"device_code": device_code or "", "agent_code": agent_code or ""}
        for key, value in (("description", description), ("origin", origin), ("flagged", flagged), ("tags", tags)):
            if value is not None:
                attributes[key] = list(value) if key == "tags" else value
        body = {"data": {"type": "deployment", "attributes": attributes, "relationships": {"devicegroup": dg_ref}}}
        started = time.time()
        return self.transport.create("/deployments", body, lambda: self._made_since(dg_ref["id"], attributes, started))

    def _made_since(self, dg_id: str, attributes: dict, started: float) -> Optional[dict]:
        """The group's current deployment when it carries this code and was made after ``started``.

        A deployment has no natural key but its code; the newest deployment of the group with the same
        code, created after the attempt began (allowing for clock skew), is the one the attempt made.
        """
        group = self.transport.get_data(f"/devicegroups/{seg(dg_id)}")
        current = rel_ref(group, "current_deployment")
        if not current:
            return None
        deployment = self.get(current["id"])
        have = attributes_of(deployment)
        if any(have.get(key) != value for key, value in attributes.items()):
            return None
        return deployment if parse_timestamp(have.get("created_at")) >= started - CLOCK_SKEW else None

    def update(
        self,
        deployment_id: str,
        *,
        description: Optional[str] = None,
        flagged: Optional[bool] = None,
        tags: Optional[list] = None,
    ) -> dict:
        """Change only the given attributes (tags are replaced wholesale)."""
        attributes: dict = {}
        for key, value in (("description", description), ("flagged", flagged), ("tags", tags)):
            if value is not None:
                attributes[key] = list(value) if key == "tags" else value
        body = {"data": {"type": "deployment", "id": deployment_id, "attributes": attributes}}
        return self.transport.call("PATCH", f"/deployments/{seg(deployment_id)}", body=body)["data"]

    def delete(self, deployment_id: str) -> None:
        """Delete a deployment (not flagged, not current)."""
        self.transport.call("DELETE", f"/deployments/{seg(deployment_id)}")
