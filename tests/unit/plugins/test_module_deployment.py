"""The deployment module: first run, repeat, check mode and its failures, at the HTTP level."""

import pytest
from imp_playback import (
    DELETE,
    DEP,
    DEP2,
    DG,
    DG2,
    GET,
    HIERARCHY_MISSING,
    NEW_GROUP,
    PATCH,
    POST,
    both_modes_fail,
    deployment,
    four_runs,
    group,
    one,
    page,
    playback,
)

CODE = {"device_code": "server.log(1);", "agent_code": ""}


DEP3 = "dddddddd-0000-0000-0000-000000000003"


SHA = "a" * 64


def build(rid, created_at, sha=SHA, **attrs):
    dep = deployment(rid, tags=["v2"], sha=sha, created_at=created_at, **dict(CODE, **attrs))
    listed = dict(dep, attributes={k: v for k, v in dep["attributes"].items() if not k.endswith("_code")})
    return dep, listed


def test_flagged_deployment_without_force_fails_before_the_delete_in_both_modes(auth_file):
    args = {"deployment": DEP, "state": "absent", "auth_file": auth_file}
    calls = [GET(f"/deployments/{DEP}", one(deployment(flagged=True)))]
    for result in both_modes_fail("deployment", args, calls):
        assert "flagged" in result["msg"] and "force" in result["msg"]


def test_deploy_code_once(auth_file):
    args = dict(CODE, device_group=DG, tags=["v2"], auth_file=auth_file)
    old = deployment(DEP, device_code="old")
    new = deployment(DEP2, tags=["v2"], **CODE)
    first = [
        GET(f"/devicegroups/{DG}", one(group(current=DEP))),
        GET(f"/deployments/{DEP}", one(old)),
        POST("/deployments", one(new), json_body={"data": {"attributes": dict(CODE, tags=["v2"])}}),
    ]
    repeat = [GET(f"/devicegroups/{DG}", one(group(current=DEP2))), GET(f"/deployments/{DEP2}", one(new))]
    results = four_runs("deployment", args, first, repeat)
    assert results[0]["created"] is True and results[1]["created"] is False
    assert results[2]["diff"]["before"]["device_code"] == "old"
    assert results[2]["diff"]["after"]["device_code"] == "server.log(1);"


def test_deploy_same_code_updates_tags_in_place(auth_file, tmp_path):
    source = tmp_path / "device.nut"
    source.write_text(CODE["device_code"])
    args = {"device_group": DG, "device_file": str(source), "tags": ["v2", "rc"], "auth_file": auth_file}
    first = [
        GET(f"/devicegroups/{DG}", one(group(current=DEP))),
        GET(f"/deployments/{DEP}", one(deployment(DEP, tags=["v2"], **CODE))),
        PATCH(
            f"/deployments/{DEP}",
            one(deployment(DEP, tags=["v2", "rc"], **CODE)),
            json_body={"data": {"attributes": {"tags": ["v2", "rc"]}}},
        ),
    ]
    repeat = [
        GET(f"/devicegroups/{DG}", one(group(current=DEP))),
        GET(f"/deployments/{DEP}", one(deployment(DEP, tags=["rc", "v2"], **CODE))),
    ]
    four_runs("deployment", args, first, repeat)


def test_delete_flagged_deployment_with_force(auth_file):
    args = {"deployment": DEP, "state": "absent", "force": True, "auth_file": auth_file}
    first = [
        GET(f"/deployments/{DEP}", one(deployment(flagged=True))),
        PATCH(f"/deployments/{DEP}", one(deployment()), json_body={"data": {"attributes": {"flagged": False}}}),
        DELETE(f"/deployments/{DEP}"),
    ]
    gone = GET(f"/deployments/{DEP}", {"errors": [{"status": "404"}]})
    gone.status = 404
    four_runs("deployment", args, first, [gone, GET("/deployments", page()), GET("/deployments", page())])


@pytest.mark.parametrize("name", ["canary", NEW_GROUP])
def test_deploy_check_mode_to_a_group_not_created_yet(auth_file, no_warnings, name):
    args = dict(CODE, device_group=name, auth_file=auth_file)
    calls = [GET("/devicegroups", page())] if name == "canary" else HIERARCHY_MISSING
    result = playback("deployment", args, calls, check=True)
    assert result["changed"] is True and result["created"] is True and result["predicted"] is True
    assert result["deployment"]["id"] is None and result["deployment"]["device_group"] == name
    assert result["predicted_missing"] == [{"kind": "device_group", "name": name}]
    result = playback("deployment", args, calls, fails=True)
    assert "is not found" in result["msg"] and result["changed"] is False


def test_copy_from_tag_shared_by_builds_of_the_same_code_uses_the_newest(auth_file):
    newer, newer_listed = build(DEP2, "2026-02-01T00:00:00.000Z")
    _, older_listed = build(DEP, "2026-01-01T00:00:00.000Z")
    copy = deployment(DEP3, dg=DG2, **CODE)
    args = {"device_group": DG2, "copy_from": "v2", "auth_file": auth_file}
    tagged = GET("/deployments", page(older_listed, newer_listed), query={"filter[tags]": "v2"})
    first = [
        tagged,
        GET(f"/deployments/{DEP2}", one(newer)),
        GET(f"/devicegroups/{DG2}", one(group("prod", DG2))),
        POST("/deployments", one(copy), json_body={"data": {"attributes": CODE}}),
    ]
    repeat = [
        tagged,
        GET(f"/deployments/{DEP2}", one(newer)),
        GET(f"/devicegroups/{DG2}", one(group("prod", DG2, current=DEP3))),
        GET(f"/deployments/{DEP3}", one(copy)),
    ]
    results = four_runs("deployment", args, first, repeat)
    assert results[0]["created"] is True and results[0]["deployment"]["id"] == DEP3
    assert results[2]["deployment"]["device_code"] == CODE["device_code"]


def test_copy_from_sha_shared_by_builds_is_no_ambiguity(auth_file):
    newer, newer_listed = build(DEP2, "2026-02-01T00:00:00.000Z")
    _, older_listed = build(DEP, "2026-01-01T00:00:00.000Z")
    calls = [
        GET("/deployments", page(newer_listed, older_listed), query={"filter[sha]": SHA}),
        GET(f"/deployments/{DEP2}", one(newer)),
        GET(f"/devicegroups/{DG2}", one(group("prod", DG2, current=DEP2))),
        GET(f"/deployments/{DEP2}", one(newer)),
    ]
    result = playback("deployment", {"device_group": DG2, "copy_from": SHA, "auth_file": auth_file}, calls)
    assert result["changed"] is False and result["deployment"]["id"] == DEP2


def test_copy_from_tag_of_different_code_fails_with_the_candidates(auth_file):
    _, one_build = build(DEP, "2026-01-01T00:00:00.000Z")
    _, other = build(DEP2, "2026-02-01T00:00:00.000Z", sha="b" * 64)
    calls = [GET("/deployments", page(one_build, other), query={"filter[tags]": "v2"})]
    args = {"device_group": DG2, "copy_from": "v2", "auth_file": auth_file}
    for check in (False, True):
        result = playback("deployment", args, calls, check=check, fails=True)
        assert "different code" in result["msg"] and DEP in result["msg"] and DEP2 in result["msg"]
        assert [(c["id"], c["sha"]) for c in result["candidates"]] == [(DEP, SHA), (DEP2, "b" * 64)]
        assert result["changed"] is False


def test_copy_from_not_found(auth_file):
    calls = [GET("/deployments", page(), query={"filter[tags]": "v9"}), GET("/deployments", page())]
    args = {"device_group": DG2, "copy_from": "v9", "auth_file": auth_file}
    result = playback("deployment", args, calls, fails=True)
    assert result["msg"] == 'Deployment "v9" is not found.'


def test_build_policy_initial_keeps_the_running_build_of_a_group(auth_file):
    """Issue 25: a setup's deployment with build_policy=initial leaves a group that runs another build (a
    release) alone: no write in any of the four runs, kept is true, the running build is returned."""
    args = dict(CODE, device_group=DG, build_policy="initial", auth_file=auth_file)
    released = deployment(DEP2, device_code="release 2", tags=["v2"])
    reads = [GET(f"/devicegroups/{DG}", one(group(current=DEP2))), GET(f"/deployments/{DEP2}", one(released))]
    results = [playback("deployment", args, reads, check=check) for check in (False, True)]
    for result in results:
        assert result["changed"] is False and result["kept"] is True and result["created"] is False
        assert result["deployment"]["id"] == DEP2 and "device_code" not in result["deployment"]


def test_build_policy_initial_deploys_to_a_group_without_a_build(auth_file):
    args = dict(CODE, device_group=DG, build_policy="initial", auth_file=auth_file)
    new = deployment(DEP, **CODE)
    first = [
        GET(f"/devicegroups/{DG}", one(group())),
        POST("/deployments", one(new), json_body={"data": {"attributes": CODE}}),
    ]
    repeat = [GET(f"/devicegroups/{DG}", one(group(current=DEP))), GET(f"/deployments/{DEP}", one(new))]
    results = four_runs("deployment", args, first, repeat)
    assert results[0]["created"] is True and results[0]["kept"] is False
    assert results[1]["created"] is False and results[1]["kept"] is False


def test_build_policy_is_refused_with_an_existing_deployment(auth_file):
    args = {"deployment": DEP, "build_policy": "initial", "tags": ["x"], "auth_file": auth_file}
    for result in both_modes_fail("deployment", args, []):
        assert result["msg"] == f"build_policy applies to deploying code to a device group, not to deployment {DEP}."
