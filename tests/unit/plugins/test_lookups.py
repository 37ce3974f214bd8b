"""Lookups: identification as impt does it, return/expect_one/on_missing, unsafe results, option errors."""

import importlib

import pytest
import responses
from ansible.errors import AnsibleLookupError
from imp_playback import BASE, DG, PRODUCT, group, one, page, product
from responses import registries


def lookup(name, terms, auth_file, **kwargs):
    """Run a lookup with its options given directly (the option plumbing itself is exercised by the
    integration playbooks; here an in-process plugin loader would disturb the module imports)."""
    plugin = importlib.import_module(f"ansible_collections.electricimp.impcentral.plugins.lookup.{name}").LookupModule()
    options = {"auth_file": auth_file, "return": "id", "expect_one": True, "on_missing": "error", "token_cache": True}
    options.update(kwargs)
    plugin.set_options = lambda var_options=None, direct=None: None
    plugin.get_option = options.get
    return plugin.run(terms)


def test_product_lookup_by_name_returns_unsafe_id(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page(product()))
        result = lookup("product", ["Thermostat"], auth_file)
    assert result == [PRODUCT]


def test_device_group_lookup_hierarchical_entity(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/accounts/me", json=one({"type": "account", "id": "acc", "attributes": {}}))
        mock.add("GET", f"{BASE}/products", json=page(product()))
        mock.add("GET", f"{BASE}/devicegroups", json=page(group()))
        result = lookup("device_group", ["{me}{Thermostat}{dev}"], auth_file, **{"return": "entity"})
    assert result[0]["id"] == DG and result[0]["type"] == "development"


def test_bad_connection_options_are_lookup_errors(tmp_path):
    """A missing auth file or an impossible timeout is an AnsibleLookupError, not an unhandled exception."""
    with pytest.raises(AnsibleLookupError, match="Product lookup failed: .*does not exist"):
        lookup("product", ["P"], str(tmp_path / "missing.auth"))
    with pytest.raises(AnsibleLookupError, match="Product lookup failed: .*timeout"):
        lookup("product", ["P"], str(tmp_path / "missing.auth"), timeout=-1)


def test_on_missing(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page())
        mock.add("GET", f"{BASE}/products", json=page())
        assert lookup("product", ["nope"], auth_file, on_missing="skip") == []
        with pytest.raises(AnsibleLookupError, match='Product "nope" is not found'):
            lookup("product", ["nope"], auth_file)


def test_expect_one(auth_file):
    twins = page(product(), product(rid="bbbbbbbb-0000-0000-0000-000000000002"))
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=twins)
        mock.add("GET", f"{BASE}/products", json=twins)
        with pytest.raises(AnsibleLookupError, match="matches 2"):
            lookup("product", ["Thermostat"], auth_file)
        assert len(lookup("product", ["Thermostat"], auth_file, expect_one=False)) == 2
