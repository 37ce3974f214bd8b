"""The connection options exist once: the table in glue_options generates the modules' argspec and the
plugins' option names, and both doc fragments must document exactly that table (names, types, defaults,
environment variables), so an option or variable cannot exist for one kind of plugin only."""

from __future__ import annotations

import re

import yaml
from ansible.module_utils.basic import env_fallback
from ansible_collections.electricimp.impcentral.plugins.action import log_tail
from ansible_collections.electricimp.impcentral.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.electricimp.impcentral.plugins.module_utils.glue.options import (
    CONNECTION_ARGSPEC,
    CONNECTION_OPTION_NAMES,
    CONNECTION_OPTIONS,
    CREDENTIAL_OPTIONS,
)
from ansible_collections.electricimp.impcentral.plugins.plugin_utils import impcentral_lookup

MODULES = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
PLUGINS = yaml.safe_load(ModuleDocFragment.PLUGINS)["options"]
# Variables the descriptions mention that are not option fallbacks (impt's search path, the proxies).
NOT_OPTIONS = {"IMPT_AUTH_FILE_PATH", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"}
ALL_CREDENTIAL_ENV = {"IMPT_LOGINKEY", "IMPT_USER", "IMPT_PASSWORD"}


def test_both_fragments_document_exactly_the_table():
    assert list(MODULES) == list(CONNECTION_OPTIONS) == list(PLUGINS)


def test_types_and_defaults_match_the_table():
    for name, (kind, default, _env, _no_log, _aliases) in CONNECTION_OPTIONS.items():
        for doc in (MODULES[name], PLUGINS[name]):
            assert doc["type"] == kind, name
            assert doc.get("default") == default, name


def test_every_environment_variable_exists_for_modules_and_plugins():
    for name, (_kind, _default, env, _no_log, _aliases) in CONNECTION_OPTIONS.items():
        fallback = CONNECTION_ARGSPEC[name].get("fallback")
        if name in CREDENTIAL_OPTIONS:
            # Read by connect() only when no credential option is given: no per-option fallback to mix them.
            assert "env" not in PLUGINS[name] and fallback is None, name
            assert set(env) <= set(re.findall(r"E\((\w+)\)", " ".join(PLUGINS[name]["description"]))), name
        else:
            assert [e["name"] for e in PLUGINS[name].get("env", [])] == list(env), name
            assert (fallback == (env_fallback, list(env))) if env else fallback is None, name
        described = " ".join(MODULES[name]["description"])
        assert set(env) <= set(re.findall(r"E\((\w+)\)", described)), name
        assert set(re.findall(r"E\((\w+)\)", described)) - NOT_OPTIONS - ALL_CREDENTIAL_ENV <= set(env), name


def test_the_token_cache_variable_reaches_modules_too():
    assert CONNECTION_ARGSPEC["token_cache"]["fallback"] == (env_fallback, ["IMPT_TOKEN_CACHE"])


def test_secrets_are_no_log_and_aliases_documented():
    for name, (_kind, _default, _env, no_log, aliases) in CONNECTION_OPTIONS.items():
        assert CONNECTION_ARGSPEC[name].get("no_log", False) == no_log, name
        assert MODULES[name].get("aliases", []) == list(aliases), name
    assert {n for n, spec in CONNECTION_OPTIONS.items() if spec[3]} == {"login_key", "password", "otp"}


def test_lookups_and_the_action_read_the_same_names():
    assert impcentral_lookup.CONNECTION_OPTION_NAMES is CONNECTION_OPTION_NAMES
    # log_tail reads timeout itself (a number it checks and names in its own message)
    assert all(log_tail.ARGSPEC[n] == CONNECTION_ARGSPEC[n] for n in CONNECTION_OPTION_NAMES if n != "timeout")
    # ... with no default in its argspec, so a value from module_defaults can be told from none (issue 25), and
    # the connection options' default when none is given: the same HTTP read timeout as every module.
    assert "default" not in log_tail.ARGSPEC["timeout"] and "default" not in log_tail.ARGSPEC["wait_timeout"]
    assert log_tail.HTTP_TIMEOUT == CONNECTION_ARGSPEC["timeout"]["default"] == MODULES["timeout"]["default"]
