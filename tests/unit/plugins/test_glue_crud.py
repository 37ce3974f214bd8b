"""glue_crud: the shared Ansible glue, through the modules that use it."""

import pytest
import responses
from imp_playback import (
    ACCOUNT,
    DEP,
    DEV,
    DG,
    DG2,
    GET,
    GROUP,
    ME,
    OTHER_PRODUCT,
    PATCH,
    PRODUCT,
    Call,
    both_modes_fail,
    deployment,
    device,
    listing,
    one,
    page,
    playback,
    product,
    resource,
    run_module,
)
from responses import registries


@pytest.mark.parametrize(
    "name, args, option",
    [
        ("deployment", {"device_group": DG, "deployment": "", "state": "absent"}, "deployment"),
        ("deployment", {"deployment": "", "state": "absent"}, "deployment"),
        ("deployment", {"deployment": " ", "description": "x"}, "deployment"),
        ("deployment", {"device_group": DG, "copy_from": ""}, "copy_from"),
        ("deployment", {"device_group": "", "device_code": "x"}, "device_group"),
        ("login_key", {"key_id": "", "state": "absent", "password": "pw"}, "key_id"),
        ("device", {"device": DEV, "name": ""}, "name"),
        ("device", {"device": DEV, "device_group": ""}, "device_group"),
        ("device_group_devices", {"device_group": DG, "devices": [""]}, "devices"),
        ("device_group_devices", {"device_group": DG, "devices": [DEV, " "], "state": "absent"}, "devices"),
        ("product", {"name": ""}, "name"),
        ("product", {"name": "Thermostat", "owner": ""}, "owner"),
        ("device_group", {"name": "dev", "product": ""}, "product"),
        ("device_group", {"name": "f", "product": "P", "production_target": ""}, "production_target"),
        ("webhook", {"device_group": DG, "event": "deployment", "url": ""}, "url"),
        ("restart", {"device_groups": [DG, ""]}, "device_groups"),
        ("device_info", {"device": ""}, "device"),
        ("webhook_info", {"device_group": ""}, "device_group"),
    ],
)
def test_empty_identifiers_fail_before_any_request(auth_file, name, args, option):
    for result in both_modes_fail(name, dict(args, auth_file=auth_file), []):
        assert result["msg"].startswith(option + " must not"), result["msg"]


def test_api_rejection_of_the_only_write_is_not_a_change(auth_file):
    args = {"device_group": DG, "event": "deployment", "url": "notaurl", "auth_file": auth_file}
    rejected = Call("POST", "/webhooks", 400, {"errors": [{"status": "400", "code": "WH001", "title": "Bad URL"}]})
    result = playback("webhook", args, [GROUP, GET("/webhooks", page()), rejected], fails=True)
    assert result["changed"] is False
    assert result["method"] == "POST" and result["status"] == 400 and result["url"].endswith("/webhooks")
    assert "Bad URL" in result["msg"]


def test_failure_after_an_accepted_write_is_a_change(auth_file):
    args = {"deployment": DEP, "state": "absent", "force": True, "auth_file": auth_file}
    refused = Call("DELETE", f"/deployments/{DEP}", 400, {"errors": [{"status": "400", "title": "No"}]})
    calls = [
        GET(f"/deployments/{DEP}", one(deployment(flagged=True))),
        PATCH(f"/deployments/{DEP}", one(deployment()), json_body={"data": {"attributes": {"flagged": False}}}),
        refused,
    ]
    result = playback("deployment", args, calls, fails=True)
    assert result["changed"] is True and result["method"] == "DELETE" and result["status"] == 400


# -- identification in check mode, and the product scope (issue 25) ----------------------------------------

TWIN = "Fleet dev"  # a group name two products share
TWINS = [
    resource(
        "development_devicegroup", DG, {"product": ("product", PRODUCT), "owner": ("account", ACCOUNT)}, name=TWIN
    ),
    resource(
        "development_devicegroup",
        DG2,
        {"product": ("product", OTHER_PRODUCT), "owner": ("account", ACCOUNT)},
        name=TWIN,
    ),
]
AMBIGUOUS = [
    GET("/devicegroups", page(*TWINS)),
    GET(f"/products/{PRODUCT}", one(product())),  # the message names each candidate's product
    GET(f"/products/{OTHER_PRODUCT}", one(product("Doorbell", rid=OTHER_PRODUCT))),
    ME,  # the hierarchical form says {me} for one's own account
]
# Every module that takes a Device Group name: its arguments, the option, the reads before the group's.
GROUP_NAMING = [
    ("deployment", {"device_group": TWIN, "device_code": "x"}, "device_group", []),
    ("deployment_info", {"device_group": TWIN}, "device_group", []),
    ("device", {"device": DEV, "device_group": TWIN}, "device_group", [GET(f"/devices/{DEV}", one(device()))]),
    ("device_group_devices", {"device_group": TWIN, "devices": [DEV]}, "device_group", []),
    ("device_info", {"device_group": TWIN}, "device_group", []),
    ("webhook", {"device_group": TWIN, "event": "deployment", "url": "https://x.test/h"}, "device_group", []),
    ("webhook_info", {"device_group": TWIN}, "device_group", []),
    ("restart", {"device_groups": [TWIN]}, "device_groups", []),
]


@pytest.mark.parametrize(("name", "args", "option", "before"), GROUP_NAMING, ids=[c[0] for c in GROUP_NAMING])
def test_an_ambiguous_group_name_fails_check_mode_as_the_real_run_naming_the_ways_out(
    auth_file, name, args, option, before
):
    """Both runs fail alike (check mode identifies too), with the candidates (id and product) and the three ways
    to choose: the product option, an id, the hierarchical form quoted (and from variables, Jinja-safe)."""
    for result in both_modes_fail(name, dict(args, auth_file=auth_file), before + AMBIGUOUS):
        assert result["msg"] == (
            f'Multiple Device Groups "{TWIN}" are found: {DG} (product "Thermostat"), {DG2} (product "Doorbell"). '
            f'Choose one with the product option (product: "Thermostat"), an id ({option}: {DG}), or the '
            f'hierarchical form, quoted ({option}: "{{me}}{{Thermostat}}{{{TWIN}}}"; built from a variable: '
            f"{option}: \"{{{{ '{{me}}{{' ~ product_name ~ '}}{{{TWIN}}}' }}}}\")."
        )
        assert [c["id"] for c in result["candidates"]] == [DG, DG2]


@pytest.mark.parametrize(("name", "args", "option", "before"), GROUP_NAMING, ids=[c[0] for c in GROUP_NAMING])
def test_the_product_option_scopes_the_group_name(auth_file, name, args, option, before):
    """With product, the name is looked for among that product's groups only: the product is identified,
    then one filtered listing (impt's order), every one of them sent; what the module reads next is not
    registered (max_retries 0: it fails at once), so only identification is checked here."""
    calls = before + [
        listing("/products", product()),
        listing("/devicegroups", TWINS[0], filter__product__id=PRODUCT),
    ]
    for check in (False, True):
        with responses.RequestsMock(assert_all_requests_are_fired=True, registry=registries.OrderedRegistry) as mock:
            for call in calls:
                call.register(mock)
            result = run_module(name, dict(args, product="Thermostat", auth_file=auth_file, max_retries=0), check=check)
        assert "Multiple" not in result.get("msg", ""), result
