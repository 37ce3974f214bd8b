"""impt's face of the shared delete plan: impt 2.6's dialog, one line per outcome, refusals before any write."""

import io
import json
from types import SimpleNamespace

import pytest
import responses
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.auth import Tokens
from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.deletes import plan_device_group_delete
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.plans import DeletePlan

from impt.deleter import confirm_delete, execute, summary
from impt.errors import ImptError
from impt.output import Output
from impt.prompt import Terminal

BASE = "http://api.test/v5"
GROUP = {
    "type": "development_devicegroup",
    "id": "g1",
    "attributes": {"name": "G"},
    "relationships": {"product": {"type": "product", "id": "p1"}},
}
DEVICE = {
    "type": "device",
    "id": "d1",
    "attributes": {"name": "dev"},
    "relationships": {"devicegroup": {"type": "development_devicegroup", "id": "g1"}},
}
BUILD = {
    "type": "deployment",
    "id": "b1",
    "attributes": {"sha": "abc", "flagged": True},
    "relationships": {"devicegroup": {"type": "development_devicegroup", "id": "g1"}},
}


def _page(data):
    return {"data": data, "links": {}}


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client():
    client = ImpCentralClient(BASE)
    client.set_tokens(Tokens("access", "2099-01-01T00:00:00.000Z"))
    client.transport.sleep = lambda seconds: None
    return client


def _ctx(client, *, confirmed=True, answers=""):
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output(None, stdout, stderr)
    terminal = Terminal(_Tty(answers), real=False)
    return SimpleNamespace(client=client, out=out, terminal=terminal, args=SimpleNamespace(confirmed=confirmed))


class _Tty(io.StringIO):
    def isatty(self):
        return True


def _group_plan(api, client, *, siblings=(GROUP,)):
    api.get(f"{BASE}/devicegroups", json=_page(list(siblings)))
    api.get(f"{BASE}/devices", json=_page([DEVICE]))
    api.get(f"{BASE}/deployments", json=_page([BUILD]))
    return plan_device_group_delete(client, GROUP, force=True, shown="G")


def test_the_dialog_is_impt_26s(api, client):
    plan = _group_plan(api, client)
    assert summary(plan) == [
        "The following entities will be deleted:",
        {"Device Group": {"id": "g1", "type": "development", "name": "G"}},
        "",
        "The following Devices will be unassigned from Device Groups:",
        {"Device": {"id": "d1", "name": "dev"}},
        "",
        'The following Deployments are marked "flagged" to prevent deleting. '
        'They will be modified by setting "flagged" attribute to false:',
        {"Deployment": {"id": "b1", "sha": "abc", "flagged": True}},
        "",
    ]
    ctx = _ctx(client, confirmed=False, answers="y\n")
    confirm_delete(ctx, plan)
    assert "Are you sure you want to continue?" in ctx.out.stderr.getvalue() + ctx.out.stdout.getvalue()


def test_one_line_per_outcome_and_a_404_is_already_done(api, client):
    plan = _group_plan(api, client)
    api.delete(f"{BASE}/devicegroups/g1/relationships/devices", status=204)
    api.patch(f"{BASE}/deployments/b1", json={"data": BUILD})
    api.delete(f"{BASE}/devicegroups/g1", status=404, json={"errors": [{"status": "404", "title": "Not Found"}]})
    ctx = _ctx(client)
    execute(ctx, plan)
    assert ctx.out.stdout.getvalue().splitlines() == [
        'Device "d1" is unassigned successfully.',
        'Deployment "b1" is updated successfully.',
        'Device Group "G" is already deleted.',
    ]


def test_a_refused_plan_writes_nothing_and_says_why_in_one_line(api, client):
    factory = {
        "type": "factoryfixture_devicegroup",
        "id": "f1",
        "attributes": {"name": "F"},
        "relationships": {"production_target": {"type": "development_devicegroup", "id": "g1"}},
    }
    plan = _group_plan(api, client, siblings=(GROUP, factory))
    ctx = _ctx(client, confirmed=False, answers="y\n")
    with pytest.raises(ImptError) as refused:
        confirm_delete(ctx, plan)  # before the dialog: nothing asked
    assert refused.value.message == (
        'Nothing was deleted: Device Group "G" (g1) is the production target of Device Group "F" (f1), '
        "which is not deleted."
    )
    assert ctx.out.stdout.getvalue() == ctx.out.stderr.getvalue() == ""
    with pytest.raises(ImptError):
        execute(ctx, plan)  # no write registered: responses would fail on any request


def test_a_group_deleted_in_the_plan_takes_its_builds_without_a_request(api, client):
    plan = DeletePlan()
    plan.delete("device_group", GROUP, "G")
    plan.delete("deployment", {**BUILD, "attributes": {"flagged": False}})
    api.delete(f"{BASE}/devicegroups/g1", status=204)
    ctx = _ctx(client)
    execute(ctx, plan)
    assert ctx.out.stdout.getvalue().splitlines() == [
        'Device Group "G" is deleted successfully.',
        'Deployment "b1" is already deleted.',  # impt 2.6's words: never "deleted successfully" unsent
    ]
    assert [call.request.method for call in api.calls] == ["DELETE"]
    assert json.dumps(summary(plan)).count("Deployment") == 1
