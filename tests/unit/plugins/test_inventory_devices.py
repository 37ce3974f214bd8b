"""The devices inventory plugin: hosts, host vars, groups, API filters, paging cost, cache, errors.

Options are given directly (as the lookup tests do); the option plumbing from an inventory file
(doc fragments, ``ansible-inventory``) is exercised against the emulator in
tests/integration/ansible/test_inventory_devices.py.
"""

from __future__ import annotations

import pytest
import responses
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible_collections.electricimp.impcentral.plugins.inventory.devices import InventoryModule, checked_options
from imp_playback import ACCOUNT, BASE, DG, DG2, PRODUCT, group, page, product, resource
from responses import matchers, registries

try:  # ansible-core 2.19+: expressions from an inventory file are trusted templates
    from ansible.template import trust_as_template
except ImportError:  # older ansible-core templates every string

    def trust_as_template(value):
        return value


PRODUCT2 = "bbbbbbbb-0000-0000-0000-000000000002"
DEFAULTS = {
    "plugin": "electricimp.impcentral.devices",
    "host_name": "id",
    "vars_prefix": "impcentral_",
    "group_prefix": "",
    "products": [],
    "device_groups": [],
    "device_group_types": [],
    "imp_types": [],
    "online": None,
    "include_unassigned": True,
    "compose": {},
    "groups": {},
    "keyed_groups": [],
    "strict": False,
    "use_extra_vars": False,
    "leading_separator": True,
    "cache": False,
    "token_cache": True,
    "validate_certs": True,
    "timeout": 60,
    "max_retries": 0,
}


def device(rid, name=None, dg=None, dg_type="development_devicegroup", online=True, imp="imp005", **attrs):
    rels = {"owner": ("account", ACCOUNT)}
    if dg:
        rels["devicegroup"] = (dg_type, dg)
        rels["product"] = ("product", attrs.pop("product", PRODUCT))
    return resource(
        "device", rid, rels, name=name, device_online=online, imp_type=imp, mac_address="0c:2a:69:00:00:01", **attrs
    )


def inventory(auth_file, cache_store=None, **options):
    """Parse with ``options``; the populated InventoryData."""
    plugin = InventoryModule()
    config = dict(DEFAULTS, auth_file=auth_file, **options)
    plugin.get_option = config.get
    plugin._read_config_data = lambda path: config
    plugin._cache = cache_store if cache_store is not None else {}
    data = InventoryData()
    plugin.parse(data, DataLoader(), "/nowhere/fleet.impcentral.yml", cache=True)
    return data


def hosts_of(data, name):
    return sorted(h.name for h in data.groups[name].get_hosts())


FLEET = [
    device("d000000000000001", "sensor-1", DG, imp="imp004m"),
    device("d000000000000002", "sensor 2", DG2, "production_devicegroup", online=False, unbond_key="s3cret-unbond"),
    device("d000000000000003", None),
]


def listings(mock, devices=FLEET):
    mock.add("GET", f"{BASE}/products", json=page(product(), product("Other", rid=PRODUCT2)))
    mock.add("GET", f"{BASE}/devicegroups", json=page(group(), group("prod", rid=DG2, kind="production_devicegroup")))
    mock.add("GET", f"{BASE}/devices", json=page(*devices))


def test_devices_become_hosts_in_their_groups(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        listings(mock)
        data = inventory(auth_file)
    assert sorted(data.hosts) == ["d000000000000001", "d000000000000002", "d000000000000003"]
    assert hosts_of(data, "device_group_thermostat_dev") == ["d000000000000001"]
    assert hosts_of(data, "device_group_thermostat_prod") == ["d000000000000002"]
    assert [c.name for c in data.groups["product_thermostat"].child_groups] == [
        "device_group_thermostat_dev",
        "device_group_thermostat_prod",
    ]
    assert hosts_of(data, "device_group_type_development") == ["d000000000000001"]
    assert hosts_of(data, "device_group_type_production") == ["d000000000000002"]
    assert hosts_of(data, "imp_type_imp004m") == ["d000000000000001"]
    assert hosts_of(data, "online") == ["d000000000000001", "d000000000000003"]
    assert hosts_of(data, "offline") == ["d000000000000002"]
    assert hosts_of(data, "unassigned") == ["d000000000000003"]
    assert "product_other" not in data.groups  # a product without devices makes no empty group


def test_host_vars_hold_the_attributes_and_names_never_the_unbond_key(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        listings(mock)
        data = inventory(auth_file)
    facts = data.get_host("d000000000000002").vars
    assert facts["impcentral_id"] == "d000000000000002"
    assert facts["impcentral_name"] == "sensor 2"
    assert facts["impcentral_device_online"] is False
    assert facts["impcentral_product_name"] == "Thermostat" and facts["impcentral_product_id"] == PRODUCT
    assert facts["impcentral_device_group_name"] == "prod" and facts["impcentral_device_group_id"] == DG2
    assert facts["impcentral_device_group_type"] == "production"
    assert facts["impcentral_owner_id"] == ACCOUNT
    assert "s3cret-unbond" not in repr(facts) and not any("unbond" in key for key in facts)


def test_host_name_name_makes_safe_unique_names_and_falls_back_to_the_id(auth_file, monkeypatch):
    twins = [device("d000000000000004", "twin"), device("d000000000000005", "twin")]
    warnings = []
    monkeypatch.setattr("ansible.utils.display.Display.warning", lambda self, msg, *a, **k: warnings.append(msg))
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        listings(mock, FLEET + twins)
        data = inventory(auth_file, host_name="name")
    assert sorted(data.hosts) == [
        "d000000000000003",
        "d000000000000004",
        "d000000000000005",
        "sensor-1",
        "sensor_2",
    ]
    assert warnings and "3 device(s)" in warnings[0]


def test_filters_go_to_the_api_and_the_rest_apply_to_the_listing(auth_file):
    """products and group types are API filters; online and imp types have none, so they filter the answer."""
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page(product()))
        mock.add("GET", f"{BASE}/devicegroups", json=page(group()))
        mock.add("GET", f"{BASE}/products", json=page(product()))  # identifying "Thermostat" as impt does
        mock.add(
            "GET",
            f"{BASE}/devices",
            json=page(*FLEET[:2]),
            match=[
                matchers.query_param_matcher(
                    {
                        "filter[product.id]": PRODUCT,
                        "filter[devicegroup.type]": "production_devicegroup",
                        "page[number]": "1",
                        "page[size]": "100",
                    }
                )
            ],
        )
        data = inventory(
            auth_file, products=["Thermostat"], device_group_types=["production"], online=True, imp_types=["imp004m"]
        )
    assert sorted(data.hosts) == ["d000000000000001"]


def test_device_groups_filter_is_one_api_filter_and_must_fit_the_products(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page(product()))
        mock.add("GET", f"{BASE}/devicegroups", json=page(group()))
        mock.add("GET", f"{BASE}/devicegroups/{DG}", json={"data": group()})
        mock.add(
            "GET",
            f"{BASE}/devices",
            json=page(FLEET[0]),
            match=[matchers.query_param_matcher({"filter[devicegroup.id]": DG}, strict_match=False)],
        )
        data = inventory(auth_file, device_groups=[DG])
    assert sorted(data.hosts) == ["d000000000000001"]

    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page(product()))
        mock.add("GET", f"{BASE}/devicegroups", json=page(group()))
        mock.add("GET", f"{BASE}/products/{PRODUCT2}", json={"data": product("Other", rid=PRODUCT2)})
        mock.add("GET", f"{BASE}/devicegroups/{DG}", json={"data": group()})
        with pytest.raises(AnsibleParserError, match='Device Group "dev" is not in the products'):
            inventory(auth_file, device_groups=[DG], products=[PRODUCT2])

    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page(product()))
        mock.add("GET", f"{BASE}/devicegroups", json=page(group()))
        mock.add("GET", f"{BASE}/devicegroups/{DG}", json={"data": group()})
        with pytest.raises(AnsibleParserError, match='"dev" is a development group, not one of production'):
            inventory(auth_file, device_groups=[DG], device_group_types=["production"])


def test_one_request_per_hundred_devices(auth_file):
    """250 devices: three pages of devices, one products listing, one groups listing."""
    fleet = [device(f"e{i:015d}", f"n{i}", DG) for i in range(250)]
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page(product()))
        mock.add("GET", f"{BASE}/devicegroups", json=page(group()))
        for number, start in enumerate(range(0, 250, 100), start=1):
            body = page(*fleet[start : start + 100])
            if start + 100 < 250:
                body["links"]["next"] = f"{BASE}/devices?page[number]={number + 1}&page[size]=100"
            mock.add("GET", f"{BASE}/devices", json=body)
        data = inventory(auth_file)
        assert len(mock.calls) == 5
    assert len(data.hosts) == 250


def test_constructable_compose_groups_and_keyed_groups(auth_file):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        listings(mock)
        data = inventory(
            auth_file,
            compose={"short": trust_as_template("impcentral_id[-4:]")},
            groups={"watched": trust_as_template("impcentral_imp_type == 'imp004m'")},
            keyed_groups=[{"key": trust_as_template("impcentral_imp_type"), "prefix": "chip"}],
        )
    assert data.get_host("d000000000000001").vars["short"] == "0001"
    assert hosts_of(data, "watched") == ["d000000000000001"]
    assert hosts_of(data, "chip_imp005") == ["d000000000000002", "d000000000000003"]


def test_cache_serves_the_second_parse_without_requests(auth_file):
    store: dict = {}
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        listings(mock)
        inventory(auth_file, cache_store=store, cache=True)
    assert len(store) == 1 and "s3cret-unbond" not in repr(store) and "tok" not in repr(store)
    with responses.RequestsMock(registry=registries.OrderedRegistry):
        data = inventory(auth_file, cache_store=store, cache=True)  # any request would fail: none registered
    assert len(data.hosts) == 3


@pytest.mark.parametrize(("status", "title"), [(401, "Unauthorized"), (404, "Not Found")])
def test_an_api_error_is_one_parser_error_with_method_url_and_status(auth_file, status, title):
    body = {"errors": [{"status": str(status), "code": "AX001", "title": title, "detail": "said the API"}]}
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=body, status=status)
        with pytest.raises(AnsibleParserError) as caught:
            inventory(auth_file)
    message = str(caught.value)
    assert f"GET {BASE}/products" in message and str(status) in message and "said the API" in message
    assert "tok" not in message.replace("token", "")


def test_unknown_filter_values_and_bad_options_stop_the_inventory(auth_file, tmp_path):
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        mock.add("GET", f"{BASE}/products", json=page(product()))
        mock.add("GET", f"{BASE}/devicegroups", json=page(group()))
        mock.add("GET", f"{BASE}/products", json=page(product()))
        with pytest.raises(AnsibleParserError, match='Product "Nope" is not found'):
            inventory(auth_file, products=["Nope"])
    with pytest.raises(AnsibleParserError, match="does not exist"):
        inventory(str(tmp_path / "missing.auth"))


def test_only_inventory_files_named_for_the_plugin_are_claimed(tmp_path):
    plugin = InventoryModule()
    for name, claimed in (("fleet.impcentral.yml", True), ("fleet.impcentral.yaml", True), ("hosts.yml", False)):
        path = tmp_path / name
        path.write_text("plugin: electricimp.impcentral.devices\n")
        assert plugin.verify_file(str(path)) is claimed


@pytest.mark.parametrize(
    ("options", "expected"),
    [  # issue 25's misspellings, refused before any request (no playback registered: none may be sent)
        ({"device_group_types": ["prodution"]}, 'device_group_types: "prodution" is not a Device Group type'),
        ({"imp_types": ["imp04m"]}, 'imp_types: "imp04m" is not an imp type; use one of imp001,'),
        ({"online": "maybe"}, 'online must be true or false (or unset for both), not "maybe".'),
        ({"include_unassigned": 7}, "include_unassigned must be true or false, not 7."),
        ({"timeout": 0}, "timeout must be a number of seconds greater than 0, not 0."),
        ({"connect_timeout": "-1"}, "connect_timeout must be a number of seconds greater than 0, not '-1'."),
        ({"max_retries": "x"}, "max_retries must be 0 or a positive whole number, not 'x'."),
        ({"host_name": "mac"}, 'host_name must be one of id, name, not "mac".'),
        ({"cache_timeout": -5}, "cache_timeout must be a whole number of seconds, 0 or more, not -5."),
        ({"products": {"a": 1}}, "products must be a list of strings, not {'a': 1}."),
    ],
)
def test_filters_booleans_and_numbers_are_checked_naming_the_value(options, expected):
    with pytest.raises(AnsibleParserError) as caught:
        checked_options(dict(DEFAULTS, **options))
    assert str(caught.value).startswith("impCentral inventory: " + expected)


def test_checked_options_convert_what_ansible_would_accept():
    """Known values in either naming, Ansible's booleans and a comma-separated string for a list pass."""
    out = checked_options(
        dict(
            DEFAULTS,
            device_group_types=["production", "dut_devicegroup"],
            imp_types="imp004m, imp005",
            online="yes",
            include_unassigned="off",
            timeout="2.5",
        )
    )
    assert out["imp_types"] == ["imp004m", "imp005"]
    assert (out["online"], out["include_unassigned"]) == (True, False)
    assert out["device_group_types"] == ["production", "dut_devicegroup"] and out["timeout"] == "2.5"
