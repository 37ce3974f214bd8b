"""The deployment_info module: first run, repeat, check mode and its failures, at the HTTP level."""

from urllib.parse import urlsplit

from imp_playback import (
    DEP,
    DEP2,
    DG,
    GET,
    Call,
    deployment,
    error,
    fails,
    four_reads,
    group,
    listing,
    one,
    without_code,
)


def test_deployment_info_lists_without_code(auth_file):
    args = {"device_group": DG, "flagged": True, "tags": ["v2", "ci"], "auth_file": auth_file}
    calls = [
        GET(f"/devicegroups/{DG}", one(group())),
        listing(
            "/deployments",
            deployment(DEP, device_code="server.log(1)", flagged=True, tags=["v2", "ci"]),
            deployment(DEP2, flagged=True, tags=["v2", "ci", "old"]),
            filter__devicegroup__id=DG,
            filter__flagged="true",
            filter__tags="v2,ci",
        ),
    ]
    result = four_reads("deployment_info", args, calls)
    assert [(d["id"], d["flagged"], d["device_group"]) for d in result["deployments"]] == [
        (DEP, True, DG),
        (DEP2, True, DG),
    ]
    assert not any("device_code" in d or "agent_code" in d for d in result["deployments"])


def test_deployment_info_tag_with_code_fetches_it(auth_file):
    args = {"deployment": "v2.1", "product": "Thermostat", "include_code": True, "auth_file": auth_file}
    full = deployment(DEP, device_code="server.log(1)", agent_code="// agent", tags=["v2.1"])
    calls = [
        listing("/deployments", without_code(full), filter__tags="v2.1"),
        GET(f"/deployments/{DEP}", one(full)),
    ]
    result = four_reads("deployment_info", args, calls)
    assert [(d["id"], d["tags"], d["device_code"], d["agent_code"]) for d in result["deployments"]] == [
        (DEP, ["v2.1"], "server.log(1)", "// agent")
    ]


def test_deployment_info_api_error_reaches_fail_json(auth_file):
    calls = [Call("GET", "/deployments", 403, error(403, "Forbidden"))]
    result = fails("deployment_info", {"auth_file": auth_file}, calls)
    assert result["method"] == "GET" and result["status"] == 403
    assert urlsplit(result["url"]).path == "/v5/deployments"
    assert "Forbidden" in result["msg"] and "GET" in result["msg"] and "403" in result["msg"]
