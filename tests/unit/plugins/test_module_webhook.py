"""The webhook module: first run, repeat, check mode and its failures, at the HTTP level."""

from imp_playback import (
    DELETE,
    DG,
    GET,
    GROUP,
    PATCH,
    POST,
    four_runs,
    one,
    page,
    resource,
)


def hook(content_type="application/json"):
    return resource(
        "webhook",
        "hook-1",
        {"devicegroup": ("development_devicegroup", DG)},
        url="https://mes.example.com/x",
        event="deployment",
        content_type=content_type,
    )


def hooks(*items):
    return GET("/webhooks", page(*items), query={"filter[devicegroup.id]": DG})


def test_webhook_create_update_delete(auth_file):
    args = {"device_group": DG, "event": "deployment", "url": "https://mes.example.com/x", "auth_file": auth_file}
    first = [
        GROUP,
        hooks(),
        POST(
            "/webhooks",
            one(hook()),
            json_body={
                "data": {
                    "attributes": {
                        "url": "https://mes.example.com/x",
                        "event": "deployment",
                        "content_type": "application/json",
                    }
                }
            },
        ),
    ]
    results = four_runs("webhook", args, first, [GROUP, hooks(hook())])
    assert results[1]["webhook"]["content_type"] == "json"

    args["content_type"] = "urlencoded"
    form = "application/x-www-form-urlencoded"
    first = [
        GROUP,
        hooks(hook()),
        PATCH("/webhooks/hook-1", one(hook(form)), json_body={"data": {"attributes": {"content_type": form}}}),
    ]
    four_runs("webhook", args, first, [GROUP, hooks(hook(form))])

    args["state"] = "absent"
    four_runs("webhook", args, [GROUP, hooks(hook(form)), DELETE("/webhooks/hook-1")], [GROUP, hooks()])
