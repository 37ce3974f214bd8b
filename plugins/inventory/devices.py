# -*- coding: utf-8 -*-
# Copyright: electricimp.impcentral contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: devices
short_description: impCentral devices as an Ansible inventory
version_added: 1.0.0
author:
  - Electric Imp collection maintainers (@electricimp)
description:
  - Makes every device of an impCentral account (and of the accounts it collaborates on) a host, so plays can
    target and report on a fleet with C(ansible-inventory) and C(hosts:) patterns.
  - Groups are made per product, per Device Group (a child of its product's group), per Device Group type,
    per imp type and per online state; C(keyed_groups), C(groups) and C(compose) add your own.
  - "Devices are read in pages of 100: one request per 100 devices, plus one per 100 products and one per
    100 Device Groups for the names, plus one login when no saved token is valid."
  - "Host variables hold the device attributes the API returns (never the unbond key) and the names of its
    product and Device Group. A device is not a machine Ansible can log in to; manage it from the
    controller with C(connection: local) or C(delegate_to: localhost)."
  - The inventory file name must end with C(.impcentral.yml) or C(.impcentral.yaml).
  - "Every option of the file but O(compose), O(groups) and O(keyed_groups) (evaluated per host) is templated
    when the file is read, lookups included, for example
    C(endpoint: \"{{ lookup('ansible.builtin.env', 'FLEET_EP') }}\")."
  - "Options are checked before any request: a Device Group type, imp type or O(host_name) outside the known
    values, a boolean that is not true or false (V(maybe), V(7)), or a timeout that is not greater than 0 stops
    the inventory with an error naming the option and the value, as an unknown product or Device Group does."
options:
  plugin:
    description:
      - Marks the file as this plugin's.
    type: str
    required: true
    choices: [electricimp.impcentral.devices]
  host_name:
    description:
      - What names each host.
      - V(id) uses the device id, which never changes.
      - V(name) uses the device name with every character outside C(A-Z a-z 0-9 . _ -) replaced by C(_);
        a device without a name, or whose name another listed device shares, is named by its id instead
        (with a warning), so host names stay unique.
    type: str
    choices: [id, name]
    default: id
  vars_prefix:
    description:
      - Put before the name of every host variable the plugin sets (C(impcentral_imp_type), ...).
    type: str
    default: impcentral_
  group_prefix:
    description:
      - Put before the name of every group the plugin makes (not those of O(keyed_groups) and O(groups)).
    type: str
    default: ""
  products:
    description:
      - Only devices of these products, each identified as C(impt) does (id, name, or C({account}{product})).
      - Sent to the API as C(filter[product.id]), one listing per product.
    type: list
    elements: str
    default: []
  device_groups:
    description:
      - Only devices of these Device Groups, each identified as C(impt) does (id, name, or
        C({account}{product}{device group})).
      - Sent to the API as C(filter[devicegroup.id]), one listing per Device Group. With O(products) or
        O(device_group_types) too, groups outside them are refused.
    type: list
    elements: str
    default: []
  device_group_types:
    description:
      - Only devices of Device Groups of these types (C(impt) names such as V(development) or V(production),
        or API types such as V(production_devicegroup)).
      - Sent to the API as C(filter[devicegroup.type]).
      - Any other value is an error naming it.
    type: list
    elements: str
    default: []
  imp_types:
    description:
      - Only devices of these imp types (for example V(imp005)). The API has no such filter; it is applied to
        the listed devices.
      - One of V(imp001), V(imp002), V(imp003), V(imp004m), V(imp005), V(imp006), V(imp007) and V(impC001);
        any other value is an error naming it.
    type: list
    elements: str
    default: []
  online:
    description:
      - V(true) keeps only online devices, V(false) only offline ones; unset keeps both.
        The API has no such filter; it is applied to the listed devices.
      - Anything but a boolean (V(maybe)) is an error naming the value.
    type: bool
  include_unassigned:
    description:
      - Include devices that are in no Device Group (they are in the C(unassigned) group).
      - Ignored when O(products), O(device_groups) or O(device_group_types) is set (those select assigned devices).
    type: bool
    default: true
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - electricimp.impcentral.connection.plugins
notes:
  - Credentials come from the inventory file (encrypt them with C(ansible-vault encrypt_string)), from the
    E(IMPT_LOGINKEY), E(IMPT_USER) and E(IMPT_PASSWORD) environment variables, or from an C(impt) auth file.
    They are never put in host variables, the cache or messages.
  - With O(cache=true) the listings are kept in the inventory cache (without credentials or tokens) for
    O(cache_timeout) seconds; C(ansible-inventory --flush-cache) reads them again.
requirements:
  - requests >= 2.28 (on the controller)
"""

EXAMPLES = r"""
# fleet.impcentral.yml: every device, named by id, with the default groups, is two lines:
#   plugin: electricimp.impcentral.devices
#   auth_file: ~/.impt.auth

# thermo.impcentral.yml: online production devices of one product, named by device name
plugin: electricimp.impcentral.devices
login_key: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  62313365396662343061393464336163383764373764613633653634306231386433626436623361
  (the rest of the output of ansible-vault encrypt_string)
host_name: name
products: [Thermostat]
device_group_types: [production]
online: true
keyed_groups:
  - key: impcentral_swversion.split(' - ')[1]
    prefix: release
compose:
  low_memory: impcentral_free_memory < 80000
groups:
  weak_signal: impcentral_rssi < -75
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/impcentral-inventory
"""

import re  # noqa: E402

from ansible.errors import AnsibleParserError  # noqa: E402
from ansible.module_utils.basic import missing_required_lib  # noqa: E402
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable  # noqa: E402
from ansible.utils.display import Display  # noqa: E402
from ansible.utils.unsafe_proxy import wrap_var  # noqa: E402

try:  # ansible-core 2.19+ never templates inventory data that is not marked trusted: no wrapping needed
    from ansible.template import trust_as_template  # noqa: F401, E402  pylint: disable=unused-import

    def user_data(value):
        return value

except ImportError:  # older ansible-core templates every string: device names are user data, keep them unsafe
    user_data = wrap_var

from ansible.module_utils.parsing.convert_bool import boolean  # noqa: E402

from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.auth import connect, requests_missing  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.options import (  # noqa: E402
    CONNECTION_OPTION_NAMES,
    connection_problem,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.constants import DG_TYPES, IMP_TYPES  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.resources import api_dg_type, flatten  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.common.errors import ImpCentralClientError  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify  # noqa: E402

display = Display()

# Attributes that must never become host variables, even if an API version starts returning them.
SECRET_ATTRIBUTES = frozenset(("unbond_key", "password", "login_key", "access_token", "refresh_token", "token"))
UNSAFE_HOST_CHARS = re.compile(r"[^A-Za-z0-9._-]")
# Options that are Jinja expressions evaluated per host later (constructed): never templated on reading the file.
PER_HOST_OPTIONS = frozenset(("plugin", "compose", "groups", "keyed_groups"))
LIST_OPTIONS = ("products", "device_groups", "device_group_types", "imp_types")
BOOL_OPTIONS = (
    "online",
    "include_unassigned",
    "token_cache",
    "validate_certs",
    "cache",
    "strict",
    "use_extra_vars",
    "leading_separator",
)
# Filters whose values are known in advance: a value outside them is a typo, never an empty inventory.
# name -> (accepted values, what a value is, the values the message lists)
KNOWN_VALUES = {
    "device_group_types": (
        tuple(DG_TYPES) + tuple(DG_TYPES.values()),
        "a Device Group type",
        "%s (or their API names, such as production_devicegroup)" % ", ".join(DG_TYPES),
    ),
    "imp_types": (IMP_TYPES, "an imp type", ", ".join(IMP_TYPES)),
}
CHOICES = {"host_name": ("id", "name")}


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Lists products, Device Groups and devices once, then builds hosts and groups from that snapshot."""

    NAME = "electricimp.impcentral.devices"

    def verify_file(self, path: str) -> bool:
        return super().verify_file(path) and path.endswith((".impcentral.yml", ".impcentral.yaml"))

    def set_options(self, task_keys=None, var_options=None, direct=None):
        """The inventory file's options templated (as netbox.netbox's inventory does for its endpoint and
        token, here every option but the per-host expressions) and checked before Ansible converts them, so
        ``online: maybe`` or ``imp_types: [imp04m]`` stops the inventory naming the value instead of quietly
        selecting nothing."""
        if direct:
            direct = checked_options(self.templated(direct))
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)

    def templated(self, config: dict) -> dict:
        """``config`` with every templatable value rendered (lookups allowed, as in netbox's inventory)."""
        out = {}
        for name, value in config.items():
            if name in PER_HOST_OPTIONS or not isinstance(value, (str, list, dict)):
                out[name] = value
                continue
            try:
                out[name] = self.templar.template(value)
            except Exception as exc:  # AnsibleError and friends: a lookup or an undefined variable
                raise AnsibleParserError("impCentral inventory: cannot template option %s: %s" % (name, exc)) from None
        return out

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        # The inventory cache pattern: read it when allowed, write it only after a fresh read
        # (writing on every hit would keep a stale snapshot alive forever).
        use_cache = self.get_option("cache")
        snapshot = None
        if use_cache and cache:
            try:
                snapshot = self._cache[cache_key]
            except KeyError:
                snapshot = None
        if snapshot is None:
            snapshot = self.fetch()
            if use_cache:
                self._cache[cache_key] = snapshot
        self.populate(snapshot)

    # -- reading impCentral --------------------------------------------------------------------

    def fetch(self) -> dict:
        """Products, Device Groups and the selected devices, flattened and without secrets."""
        if requests_missing():
            raise AnsibleParserError(missing_required_lib("requests"))
        options = {name: self.get_option(name) for name in CONNECTION_OPTION_NAMES}
        # The same rule as the modules': every timeout greater than 0 (also from environment variables or vars).
        problem = connection_problem(options, strict=True)
        if problem:
            raise AnsibleParserError("impCentral inventory: %s" % problem)
        try:
            client = connect(options, user_agent="ansible-inventory")
        except ImpCentralClientError as exc:  # a bad connection option or auth file, before any request
            raise failure(exc) from None
        try:
            with client:
                products = client.products.list()
                groups = client.device_groups.list()
                devices = client.devices.list(**self.api_filters(client))
        except ImpCentralClientError as exc:
            raise failure(exc) from None
        display.vvv(
            "impCentral inventory: %d devices, %d Device Groups, %d products"
            % (len(devices), len(groups), len(products))
        )
        return {
            "products": [_public(flatten(p)) for p in products],
            "device_groups": [_public(flatten(g)) for g in groups],
            "devices": [_public(flatten(d)) for d in devices],
        }

    def api_filters(self, client) -> dict:
        """The ``devices.list`` filters for the options: one id list per filter the API has."""
        products = [self.identify(client, "product", term)["id"] for term in self.get_option("products") or []]
        types = [api_dg_type(t) for t in self.get_option("device_group_types") or []]
        wanted = [flatten(self.identify(client, "device_group", t)) for t in self.get_option("device_groups") or []]
        # One filter is enough for groups: they must lie in the products and types asked for.
        for group in wanted:
            if products and group.get("product") not in products:
                raise AnsibleParserError(
                    'impCentral inventory: Device Group "%s" is not in the products %s.'
                    % (group.get("name"), ", ".join(self.get_option("products")))
                )
            if types and api_dg_type(group.get("type")) not in types:
                raise AnsibleParserError(
                    'impCentral inventory: Device Group "%s" is a %s group, not one of %s.'
                    % (group.get("name"), group.get("type"), ", ".join(self.get_option("device_group_types")))
                )
        if wanted:
            return {"device_group": sorted({g["id"] for g in wanted})}
        return {"product": products or None, "device_group_type": types or None}

    def identify(self, client, kind: str, term: str) -> dict:
        """One product or Device Group, identified as impt does; an unknown or ambiguous term stops the inventory."""
        try:
            return identify.one(client, kind, term)
        except ImpCentralClientError as exc:
            raise failure(exc) from None

    # -- building the inventory ----------------------------------------------------------------

    def populate(self, snapshot: dict) -> None:
        products = {p["id"]: p for p in snapshot["products"]}
        groups = {g["id"]: g for g in snapshot["device_groups"]}
        devices = [d for d in snapshot["devices"] if self.selected(d)]
        names = self.host_names(devices)
        prefix, vars_prefix = self.get_option("group_prefix") or "", self.get_option("vars_prefix") or ""
        strict = self.get_option("strict")
        compose, groups_option, keyed = (self.get_option(n) for n in ("compose", "groups", "keyed_groups"))
        constructed = bool(compose or groups_option or keyed)
        for device in devices:
            host = names[device["id"]]
            self.inventory.add_host(host)
            facts = self.host_facts(device, products, groups)
            for key, value in facts.items():
                self.inventory.set_variable(host, vars_prefix + key, user_data(value))
            for group in self.default_groups(facts, prefix):
                self.inventory.add_host(host, group=self.inventory.add_group(group))
            if constructed:
                hostvars = self.inventory.get_host(host).get_vars()
                self._set_composite_vars(compose, hostvars, host, strict=strict)
                self._add_host_to_composed_groups(groups_option, hostvars, host, strict=strict)
                self._add_host_to_keyed_groups(keyed, hostvars, host, strict=strict)

    def selected(self, device: dict) -> bool:
        """The filters the API does not have."""
        online, imp_types = self.get_option("online"), self.get_option("imp_types")
        if online is not None and bool(device.get("device_online")) != online:
            return False
        if imp_types and device.get("imp_type") not in imp_types:
            return False
        if not device.get("device_group") and not self.get_option("include_unassigned"):
            return False
        return True

    def host_names(self, devices: list) -> dict:
        """Device id -> host name: unique and stable for the same fleet."""
        if self.get_option("host_name") == "id":
            return {d["id"]: d["id"] for d in devices}
        wanted = {d["id"]: UNSAFE_HOST_CHARS.sub("_", d.get("name") or "") for d in devices}
        counts: dict = {}
        for name in wanted.values():
            counts[name] = counts.get(name, 0) + 1
        ids = set(wanted)
        names, fallbacks = {}, 0
        for device_id, name in wanted.items():
            if name and counts[name] == 1 and (name not in ids or name == device_id):
                names[device_id] = name
            else:
                names[device_id] = device_id
                fallbacks += 1
        if fallbacks:
            display.warning(
                "impCentral inventory: %d device(s) without a name of their own are named by their id." % fallbacks
            )
        return names

    def host_facts(self, device: dict, products: dict, groups: dict) -> dict:
        """The device's attributes plus the names (and impt type) of its product and Device Group."""
        facts = {k: v for k, v in device.items() if k != "type"}
        group = groups.get(device.get("device_group") or "")
        product = products.get(device.get("product") or (group or {}).get("product") or "")
        facts["device_group_id"] = facts.pop("device_group", None)
        facts["product_id"] = facts.pop("product", None) or (product or {}).get("id")
        facts["owner_id"] = facts.pop("owner", None)
        facts["device_group_name"] = (group or {}).get("name")
        facts["device_group_type"] = (group or {}).get("type")
        facts["product_name"] = (product or {}).get("name")
        return facts

    def default_groups(self, facts: dict, prefix: str) -> list:
        """product_*, device_group_* (a child of its product's), device_group_type_*, imp_type_*, online/offline."""
        out = []
        product = facts.get("product_name") or facts.get("product_id")
        group = facts.get("device_group_name") or facts.get("device_group_id")
        if group:
            # The device joins its Device Group's group; that group is a child of its product's.
            child = self.inventory.add_group(self.group_name(prefix, "device_group", "%s_%s" % (product, group)))
            if product:
                self.inventory.add_child(self.inventory.add_group(self.group_name(prefix, "product", product)), child)
            out.append(child)
            out.append(self.group_name(prefix, "device_group_type", facts.get("device_group_type") or "unknown"))
        else:
            if product:
                out.append(self.group_name(prefix, "product", product))
            out.append(self.group_name(prefix, "unassigned"))
        if facts.get("imp_type"):
            out.append(self.group_name(prefix, "imp_type", facts["imp_type"]))
        out.append(self.group_name(prefix, "online" if facts.get("device_online") else "offline"))
        return out

    def group_name(self, prefix: str, *parts: str) -> str:
        return self._sanitize_group_name(prefix + "_".join(str(p) for p in parts).lower())


def checked_options(config: dict) -> dict:
    """The inventory file's options with lists, booleans, known values and numbers checked; each problem is
    one ``AnsibleParserError`` naming the option and the value. Unknown products and groups are found later,
    by identifying them (they are only known to impCentral)."""
    out = dict(config)
    for name in LIST_OPTIONS:
        value = out.get(name)
        if value is None:
            continue
        if isinstance(value, str):  # Ansible's own reading of a string for a list: comma-separated
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            message = "impCentral inventory: %s must be a list of strings, not %s." % (name, _shown(value))
            raise AnsibleParserError(message)
        out[name] = value
    for name, (known, what, listed) in KNOWN_VALUES.items():
        for item in out.get(name) or []:
            if item not in known:
                raise AnsibleParserError(
                    "impCentral inventory: %s: %s is not %s; use one of %s." % (name, _shown(item), what, listed)
                )
    for name, known in CHOICES.items():
        if name in out and out[name] not in known:
            raise AnsibleParserError(
                "impCentral inventory: %s must be one of %s, not %s." % (name, ", ".join(known), _shown(out[name]))
            )
    for name in BOOL_OPTIONS:
        if out.get(name) is None:
            continue
        try:
            out[name] = boolean(out[name], strict=True)
        except TypeError:
            unset = " (or unset for both)" if name == "online" else ""
            raise AnsibleParserError(
                "impCentral inventory: %s must be true or false%s, not %s." % (name, unset, _shown(out[name]))
            ) from None
    problem = connection_problem(out, strict=True)
    if problem:
        raise AnsibleParserError("impCentral inventory: %s" % problem)
    cache_timeout = out.get("cache_timeout")
    if cache_timeout is not None and not _whole_number(cache_timeout):
        raise AnsibleParserError(
            "impCentral inventory: cache_timeout must be a whole number of seconds, 0 or more, not %s."
            % _shown(cache_timeout)
        )
    return out


def _whole_number(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return int(str(value).strip()) >= 0
    except ValueError:
        return False


def _shown(value) -> str:
    """A value as the user wrote it: strings quoted, never Ansible's tagged types."""
    for kind in (bool, int, float):
        if isinstance(value, kind):
            return str(kind(value)).lower() if kind is bool else str(kind(value))
    if isinstance(value, str):
        return '"%s"' % str(value)
    return str(value)


def failure(exc: Exception) -> AnsibleParserError:
    """One line: the client's message with method, URL and status when the API answered."""
    message = exc.describe() if hasattr(exc, "describe") else str(exc)
    return AnsibleParserError("impCentral inventory: %s" % message)


def _public(resource: dict) -> dict:
    """A flattened resource without any attribute that could be a secret."""
    return {k: v for k, v in resource.items() if k not in SECRET_ATTRIBUTES}
