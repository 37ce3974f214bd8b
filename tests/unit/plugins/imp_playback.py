"""Drive modules in-process against strict, ordered HTTP playback (community.hrobot's four runs).

``four_runs`` runs a module four times: first (changed), repeat (not changed), check mode (changed
predicted, only the first run's GETs are registered, so any write fails the test), and check mode on
the repeat (not changed). Every registered request must be sent, in order.
"""

from __future__ import annotations

import importlib
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
from ansible.module_utils import basic
from core_compat import patch_module_args
from responses import matchers, registries

BASE = "https://api.test/v5"
NOW = "2026-01-01T00:00:00.000Z"


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


def _exit_json(self, **kwargs):
    kwargs.setdefault("changed", False)
    raise ExitJson(kwargs)


def _fail_json(self, **kwargs):
    kwargs["failed"] = True
    raise FailJson(kwargs)


@pytest.fixture(autouse=True)
def _no_real_exit(monkeypatch, tmp_path):
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail_json)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("IMPT_ENDPOINT", "IMPT_LOGINKEY", "IMPT_USER", "IMPT_PASSWORD", "IMPT_AUTH_FILE_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def no_warnings(monkeypatch):
    """Fail on any module warning (a check-mode prediction is a note in the result, never a warning)."""

    def warn(self, msg):
        raise AssertionError(f"unexpected warning: {msg}")

    monkeypatch.setattr(basic.AnsibleModule, "warn", warn)


@pytest.fixture
def auth_file(tmp_path):
    """An impt auth file with a token valid for a year: no login request in the playback."""
    path = tmp_path / "auth.json"
    path.write_text(json.dumps({"endpoint": BASE, "accessToken": "tok", "expiresAt": "2099-01-01T00:00:00.000Z"}))
    return str(path)


def run_module(name: str, args: dict, *, check: bool = False, diff: bool = True) -> dict:
    """Run plugins/modules/<name>.py's main() with ``args``; the result dict (``failed`` set on failure)."""
    module = importlib.import_module(f"ansible_collections.electricimp.impcentral.plugins.modules.{name}")
    full = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    with patch_module_args(full):
        try:
            module.main()
        except ExitJson as exc:
            return exc.args[0]
        except FailJson as exc:
            return exc.args[0]
    raise AssertionError("module did not exit")


class Call:
    """One expected request and its answer."""

    def __init__(self, method, path, status=200, body=None, query=None, json_body=None, headers=None):
        self.method, self.path, self.status, self.body = method, path, status, body
        self.query, self.json_body, self.headers = query, json_body, headers

    @property
    def write(self) -> bool:
        return self.method != "GET"

    def register(self, mock: responses.RequestsMock) -> None:
        match = []
        if self.query is not None:
            match.append(matchers.query_param_matcher(self.query, strict_match=False))
        if self.json_body is not None:
            match.append(matchers.json_params_matcher(self.json_body, strict_match=False))
        if self.headers is not None:
            match.append(matchers.header_matcher(self.headers))
        kwargs = {"status": self.status, "match": match}
        if self.body is not None:
            kwargs["json"] = self.body
        mock.add(self.method, BASE + self.path, **kwargs)


def GET(path, body, **kw):
    return Call("GET", path, 200, body, **kw)


def POST(path, body=None, status=201, **kw):
    return Call("POST", path, status if body is not None else 204, body, **kw)


def PATCH(path, body, **kw):
    return Call("PATCH", path, 200, body, **kw)


def PUT(path, body=None, **kw):
    return Call("PUT", path, 200 if body is not None else 204, body, **kw)


def DELETE(path, **kw):
    return Call("DELETE", path, 204, None, **kw)


def playback(name: str, args: dict, calls: list, *, check: bool = False, fails: bool = False) -> dict:
    with responses.RequestsMock(assert_all_requests_are_fired=True, registry=registries.OrderedRegistry) as mock:
        for call in calls:
            call.register(mock)
        result = run_module(name, args, check=check)
    assert bool(result.get("failed")) == fails, result
    return result


def four_runs(name: str, args: dict, first: list, repeat: list) -> list:
    """The four runs; returns their results (first, repeat, check, check on repeat)."""
    assert any(c.write for c in first), "the first run must write"
    assert not any(c.write for c in repeat), "the repeat run must not write"
    results = [
        playback(name, args, first),
        playback(name, args, repeat),
        playback(name, args, [c for c in first if not c.write], check=True),
        playback(name, args, repeat, check=True),
    ]
    assert [r["changed"] for r in results] == [True, False, True, False], [r["changed"] for r in results]
    return results


def one(item):
    return {"data": item}


def page(*items):
    return {"data": list(items), "links": {"self": BASE}}


def resource(kind, rid, rels=None, **attrs):
    attrs.setdefault("created_at", NOW)
    attrs.setdefault("updated_at", NOW)
    return {
        "type": kind,
        "id": rid,
        "attributes": attrs,
        "relationships": {k: {"type": t, "id": i} for k, (t, i) in (rels or {}).items()},
    }


ACCOUNT = "aaaaaaaa-0000-0000-0000-000000000001"
PRODUCT = "bbbbbbbb-0000-0000-0000-000000000001"
DG = "cccccccc-0000-0000-0000-000000000001"
DG2 = "cccccccc-0000-0000-0000-000000000002"
DEP = "dddddddd-0000-0000-0000-000000000001"
DEP2 = "dddddddd-0000-0000-0000-000000000002"
DEV = "234776801163a9ee"
DEV2 = "234776801163a9ef"


def product(name="Thermostat", description=None, rid=PRODUCT):
    return resource("product", rid, {"owner": ("account", ACCOUNT)}, name=name, description=description)


def group(name="dev", rid=DG, kind="development_devicegroup", current=None, **attrs):
    rels = {"product": ("product", PRODUCT), "owner": ("account", ACCOUNT)}
    if current:
        rels["current_deployment"] = ("deployment", current)
    attrs.setdefault("description", None)
    attrs.setdefault("env_vars", {})
    return resource(kind, rid, rels, name=name, **attrs)


def device(rid=DEV, name=None, dg=None, mac="0c:2a:69:05:0d:62"):
    rels = {"devicegroup": ("development_devicegroup", dg)} if dg else {}
    return resource("device", rid, rels, name=name, mac_address=mac, agent_id=None, device_online=True)


def deployment(rid=DEP, dg=DG, device_code="", agent_code="", **attrs):
    attrs.setdefault("description", None)
    attrs.setdefault("origin", None)
    attrs.setdefault("tags", [])
    attrs.setdefault("flagged", False)
    attrs.setdefault("sha", "0" * 64)
    return resource(
        "deployment",
        rid,
        {"devicegroup": ("development_devicegroup", dg)},
        device_code=device_code,
        agent_code=agent_code,
        **attrs,
    )


# -- cases shared by several module test files -------------------------------------------------

GROUP = GET(f"/devicegroups/{DG}", one(group()))


ME = GET("/accounts/me", one(resource("account", ACCOUNT, username="me")))


def both_modes_fail(name, args, calls, *, check_calls=None):
    """The real run and check mode fail alike, sending only ``calls`` (reads), with changed false."""
    results = []
    for check in (False, True):
        result = playback(
            name, args, calls if not check or check_calls is None else check_calls, check=check, fails=True
        )
        assert result["changed"] is False, result
        results.append(result)
    return results


HIERARCHY_MISSING = [
    ME,
    GET("/products", page(product()), query={"filter[owner.id]": ACCOUNT}),
    GET("/devicegroups", page(), query={"filter[product.id]": PRODUCT}),
    GET("/devicegroups", page()),
]


NEW_GROUP = "{me}{Thermostat}{canary}"


OTHER_ACCOUNT = "aaaaaaaa-0000-0000-0000-000000000002"


OTHER_PRODUCT = "bbbbbbbb-0000-0000-0000-000000000002"


class Listing(Call):
    """A GET of a collection whose filters must be exactly these (paging aside): filter__owner__id=x is
    filter[owner.id]=x."""

    def __init__(self, path, body, **filters):
        super().__init__("GET", path, 200, body)
        self.filters = {f"filter[{k[8:].replace('__', '.')}]": v for k, v in filters.items()}

    def register(self, mock):
        def exact(request):
            got = {k: v for k, v in parse_qsl(urlsplit(request.url).query) if not k.startswith("page[")}
            return got == self.filters, f"filters {got} != {self.filters}"

        mock.add("GET", BASE + self.path, json=self.body, match=[exact])


def listing(path, *items, **filters):
    return Listing(path, page(*items), **filters)


def error(status, title):
    return {"errors": [{"status": str(status), "code": "PX100", "title": title, "detail": title + "."}]}


def four_reads(name, args, calls, repeat=None):
    """First run, repeat, check mode, check mode on the repeat: never changed, never a write, same answer."""
    repeat = calls if repeat is None else repeat
    assert not any(c.write for c in calls + repeat), "an info module must not write"
    results = [
        playback(name, args, calls),
        playback(name, args, repeat),
        playback(name, args, calls, check=True),
        playback(name, args, repeat, check=True),
    ]
    assert [r["changed"] for r in results] == [False] * 4
    assert all(r == results[0] for r in results), results
    return results[0]


def fails(name, args, calls):
    result = playback(name, args, calls, fails=True)
    assert result["changed"] is False
    return result


def account(rid=ACCOUNT, username="me", email="me@example.com"):
    return resource("account", rid, username=username, email=email)


def without_code(dep):
    dep = dict(dep, attributes=dict(dep["attributes"]))
    del dep["attributes"]["device_code"], dep["attributes"]["agent_code"]
    return dep
