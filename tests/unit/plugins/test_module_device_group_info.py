"""The device_group_info module: first run, repeat, check mode and its failures, at the HTTP level."""

from imp_playback import (
    DG,
    DG2,
    OTHER_PRODUCT,
    PRODUCT,
    fails,
    four_reads,
    group,
    listing,
    product,
)


def test_device_group_info_filters_go_to_the_server(auth_file):
    args = {"product": "Thermostat", "type": ["production"], "auth_file": auth_file}
    calls = [
        listing("/products", product()),
        listing(
            "/devicegroups",
            group("prod", DG2, "production_devicegroup"),
            filter__product__id=PRODUCT,
            filter__type="production_devicegroup",
        ),
    ]
    result = four_reads("device_group_info", args, calls)
    assert [(g["id"], g["name"], g["type"], g["product"]) for g in result["device_groups"]] == [
        (DG2, "prod", "production", PRODUCT)
    ]


def test_device_group_info_name_narrowed_by_product_and_type(auth_file):
    args = {"name": "dev", "product": "Thermostat", "type": ["development"], "auth_file": auth_file}
    elsewhere = group("dev", "cccccccc-0000-0000-0000-000000000003")
    elsewhere["relationships"]["product"]["id"] = OTHER_PRODUCT
    calls = [
        listing("/products", product()),
        listing("/devicegroups", group(), group("dev", DG2, "production_devicegroup"), elsewhere),
    ]
    result = four_reads("device_group_info", args, calls)
    assert [g["id"] for g in result["device_groups"]] == [DG]
    assert result["device_groups"][0]["type"] == "development"


def test_device_group_info_unknown_product_fails(auth_file):
    args = {"product": "Nope", "auth_file": auth_file}
    result = fails("device_group_info", args, [listing("/products", product())])
    assert result["msg"] == 'Product "Nope" is not found.'
