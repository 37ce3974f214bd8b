"""The webhook_info module: first run, repeat, check mode and its failures, at the HTTP level."""

from imp_playback import (
    DG,
    GET,
    fails,
    four_reads,
    group,
    listing,
    one,
    resource,
)

HOOK = "eeeeeeee-0000-0000-0000-000000000001"


HOOK2 = "eeeeeeee-0000-0000-0000-000000000002"


def webhook(rid=HOOK, event="deployment", url="https://ci.example.com/hook", content_type="application/json"):
    rels = {"devicegroup": ("development_devicegroup", DG)}
    return resource("webhook", rid, rels, event=event, url=url, content_type=content_type)


def test_webhook_info_filters_event_and_url(auth_file):
    args = {"device_group": DG, "event": "deployment", "url": "https://ci.example.com/hook", "auth_file": auth_file}
    calls = [
        GET(f"/devicegroups/{DG}", one(group())),
        listing(
            "/webhooks",
            webhook(),
            webhook(HOOK2, event="blessing"),
            webhook("eeeeeeee-0000-0000-0000-000000000003", url="https://elsewhere.example.com/"),
            filter__devicegroup__id=DG,
        ),
    ]
    result = four_reads("webhook_info", args, calls)
    assert [(w["id"], w["event"], w["url"], w["content_type"], w["device_group"]) for w in result["webhooks"]] == [
        (HOOK, "deployment", "https://ci.example.com/hook", "json", DG)
    ]


def test_webhook_info_all(auth_file):
    calls = [listing("/webhooks", webhook(), webhook(HOOK2, event="blessing", content_type="text/plain"))]
    result = four_reads("webhook_info", {"auth_file": auth_file}, calls)
    assert [(w["id"], w["content_type"]) for w in result["webhooks"]] == [(HOOK, "json"), (HOOK2, "text/plain")]


def test_webhook_info_unknown_group_fails(auth_file):
    args = {"device_group": "missing", "auth_file": auth_file}
    result = fails("webhook_info", args, [listing("/devicegroups", group())])
    assert result["msg"] == 'Device Group "missing" is not found.'
