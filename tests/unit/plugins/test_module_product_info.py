"""The product_info module: first run, repeat, check mode and its failures, at the HTTP level."""

from imp_playback import (
    ACCOUNT,
    GET,
    OTHER_PRODUCT,
    PRODUCT,
    account,
    fails,
    four_reads,
    listing,
    one,
    product,
)


def test_product_info_all(auth_file):
    calls = [listing("/products", product(), product("Doorbell", rid=OTHER_PRODUCT))]
    result = four_reads("product_info", {"auth_file": auth_file}, calls)
    assert [(p["id"], p["name"], p["owner"]) for p in result["products"]] == [
        (PRODUCT, "Thermostat", ACCOUNT),
        (OTHER_PRODUCT, "Doorbell", ACCOUNT),
    ]


def test_product_info_of_an_owner(auth_file):
    calls = [GET("/accounts/me", one(account())), listing("/products", product(), filter__owner__id=ACCOUNT)]
    result = four_reads("product_info", {"owner": "me", "auth_file": auth_file}, calls)
    assert [p["name"] for p in result["products"]] == ["Thermostat"]


def test_product_info_name_of_an_owner_is_hierarchical(auth_file):
    calls = [
        GET("/accounts/me", one(account())),
        listing("/products", product(), product("Doorbell", rid=OTHER_PRODUCT), filter__owner__id=ACCOUNT),
    ]
    result = four_reads("product_info", {"name": "Doorbell", "owner": "me", "auth_file": auth_file}, calls)
    assert [p["id"] for p in result["products"]] == [OTHER_PRODUCT]


def test_product_info_name_matching_nothing_is_an_empty_list(auth_file):
    result = four_reads("product_info", {"name": "Nope", "auth_file": auth_file}, [listing("/products", product())])
    assert result["products"] == []


def test_product_info_unknown_owner_fails(auth_file):
    result = fails("product_info", {"owner": "nobody", "auth_file": auth_file}, [listing("/accounts", account())])
    assert result["msg"] == 'Account "nobody" is not found.'
