"""Agents' own HTTP requests: `http.request` and the verbs, `sendasync`/`sendsync`/`cancel`, the outbound policy.

Expected values come from Electric Imp's API reference (`httprequest.sendasync`: the response table
`statuscode, headers, rawheaders, body`, the default timeout of 600 s, statuscodes below 100 are
libcurl's error codes: 1 unsupported/refused, 7 could not connect, 28 timed out) and from the
emulator's rules in `impcentral_emulator/models/outbound.py` (own agent URLs always, other targets only when
allowed, never link-local, metadata or the admin API).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

from impcentral_emulator.models.outbound import OutboundPolicy

ROUTER = (Path(__file__).parent / "nut" / "router.agent.nut").read_text()


async def _server(handler) -> tuple[web.AppRunner, int]:
    """A loopback receiver on a free port (the test's own mock service)."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


async def _until(h, check) -> None:
    """Wait for the host's next outputs until `check()` holds (no clock, no sleeping)."""
    while not check():
        h.host._changed.clear()
        await h.host._changed.wait()


def _allow(port: int) -> OutboundPolicy:
    return OutboundPolicy(frozenset({("127.0.0.1", port)}))


def test_router_served_over_the_agent_url_answers_http_request_from_the_same_agent(run):
    agent = (
        ROUTER
        + """
    app <- Router();
    app.on("GET", "/things/:id", function(req, res) {
        res.header("X-Thing", req.params.id);
        res.send(200, http.jsonencode({id = req.params.id, q = req.query.q}));
    });
    app.on("POST", "/echo", function(req, res) { res.send(201, req.body); });
    local root = http.agenturl();
    http.get(root + "/things/42?q=yes").sendasync(function(r) {
        server.log("get " + r.statuscode + " " + r.headers["x-thing"] + " " + r.body);
    });
    http.post(root + "/echo", {["Content-Type"] = "text/plain"}, "hello").sendasync(function(r) {
        server.log("post " + r.statuscode + " " + r.body);
    });
    http.request("PUT", root + "/nowhere", {}, "").sendasync(function(r) {
        server.log("put " + r.statuscode + " " + r.body);
    });
    """
    )

    async def scenario(h):
        await h.start("", agent)
        await h.host.idle()
        return sorted(h.events.messages("agent.log"))

    assert run(scenario) == [
        'get 200 42 {"id":"42","q":"yes"}',
        "post 201 hello",
        "put 404 no route for /nowhere",
    ]


def test_sendsync_returns_the_response_table_of_an_allowed_loopback_service(run):
    seen = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.method, request.path, request.headers.get("X-Key"), await request.text()))
        return web.Response(status=202, text="stored", headers={"X-Reply": "yes"})

    async def scenario(h):
        runner, port = await _server(handler)
        h.host.outbound = _allow(port)
        try:
            await h.start(
                "",
                f"""
                local r = http.put("http://127.0.0.1:{port}/store", {{["X-Key"] = "k1"}}, "payload").sendsync();
                server.log(r.statuscode + " " + r.body + " " + r.headers["x-reply"] + " " + (r.rawheaders.len() > 0));
                """,
            )
            await h.host.idle()
        finally:
            await runner.cleanup()
        return h.events.messages("agent.log")

    assert run(scenario) == ["202 stored yes true"]
    assert seen == [("PUT", "/store", "k1", "payload")]


def test_a_target_the_operator_did_not_allow_is_statuscode_1_and_never_contacted(run):
    contacted = []

    async def handler(request: web.Request) -> web.Response:
        contacted.append(request.path)
        return web.Response(text="no")

    async def scenario(h):
        runner, port = await _server(handler)  # listening, but not allowed
        try:
            await h.start(
                "",
                f"""
                foreach (url in ["http://127.0.0.1:{port}/x", "http://169.254.169.254/latest/meta-data",
                                 "http://metadata.google.internal/"]) {{
                    local u = url;
                    http.get(u).sendasync(function(r) {{ server.log(r.statuscode + " " + r.body); }});
                }}
                """,
            )
            await h.host.idle()
        finally:
            await runner.cleanup()
        return h.events.messages("agent.log")

    lines = run(scenario, outbound=OutboundPolicy())
    assert len(lines) == 3, lines
    assert all(line.startswith("1 ") for line in lines), lines
    assert any("is not an allowed target" in line for line in lines), lines
    assert any("link-local or cloud metadata" in line for line in lines)
    assert any("cloud metadata service" in line for line in lines)
    assert contacted == []


def test_link_local_and_the_admin_api_stay_refused_even_when_allowed(run):
    policy = OutboundPolicy(frozenset({("169.254.169.254", 80), ("127.0.0.1", 9999)}))
    agent = """
    http.get("http://169.254.169.254/").sendasync(function(r) { server.log(r.statuscode + " " + r.body); });
    http.post("http://127.0.0.1:9999/_emulator/reset", {}, "").sendasync(function(r) {
        server.log(r.statuscode + " " + r.body);
    });
    """

    async def scenario(h):
        await h.start("", agent)
        await h.host.idle()
        return sorted(h.events.messages("agent.log"))

    assert run(scenario, outbound=policy) == [
        "1 Agents cannot target link-local or cloud metadata addresses.",
        "1 Agents cannot target the emulator's admin API (/_emulator).",
    ]


def test_a_closed_port_is_statuscode_7(run):
    async def scenario(h):
        async def ok(request: web.Request) -> web.Response:
            return web.Response()

        runner, port = await _server(ok)
        await runner.cleanup()  # nothing listens there any more
        h.host.outbound = _allow(port)
        await h.start("", f'http.get("http://127.0.0.1:{port}/").sendasync(@(r) server.log(r.statuscode));')
        await h.host.idle()
        return h.events.messages("agent.log")

    assert run(scenario) == ["7"]


def test_a_request_past_its_timeout_is_statuscode_28_on_the_runtime_clock(run):
    release = asyncio.Event()

    async def never(request: web.Request) -> web.Response:
        await release.wait()  # answers only once the test is over
        return web.Response()

    async def scenario(h):
        runner, port = await _server(never)
        h.host.outbound = _allow(port)
        try:
            code = f'http.get("http://127.0.0.1:{port}/").sendasync(@(r) server.log(r.statuscode), null, 5);'
            h.host.start(h.facts(), "", code)
            await _until(h, lambda: h.host._outgoing)
            h.clock.advance(4.9)
            before = list(h.events.messages("agent.log"))
            h.clock.advance(0.2)
            await h.host.idle()
        finally:
            release.set()
            await runner.cleanup()
        return before, h.events.messages("agent.log")

    before, after = run(scenario)
    assert before == []
    assert after == ["28"]


def test_cancel_drops_the_request_and_its_callback(run):
    release = asyncio.Event()

    async def never(request: web.Request) -> web.Response:
        await release.wait()  # answers only once the test is over
        return web.Response()

    async def scenario(h):
        runner, port = await _server(never)
        h.host.outbound = _allow(port)
        try:
            code = f"""
                req <- http.get("http://127.0.0.1:{port}/");
                req.sendasync(@(r) server.log("called " + r.statuscode));
                imp.wakeup(1, function() {{ req.cancel(); server.log("cancelled"); }});
            """
            h.host.start(h.facts(), "", code)
            await _until(h, lambda: h.host._outgoing)
            pending = len(h.host._outgoing)
            h.clock.advance(1)
            await h.host.idle()
            await h.advance(700)  # past the default 600 s timeout: nothing more is called
        finally:
            release.set()
            await runner.cleanup()
        return pending, len(h.host._outgoing), h.events.messages("agent.log")

    assert run(scenario) == (1, 0, ["cancelled"])


def test_request_arguments_are_checked_as_the_reference_says(run):
    agent = """
    foreach (f in [@() http.get("ftp://example.com/"), @() http.get("example.com"),
                   @() http.request(1, "http://a/", {}, ""), @() http.post("http://a/", "h", "")]) {
        try { f(); server.log("accepted"); } catch (e) { server.log(e); }
    }
    local r = http.get(http.agenturl());
    r.sendasync(@(x) null);
    try { r.sendasync(@(x) null); } catch (e) { server.log(e); }
    """

    async def scenario(h):
        await h.start("", agent)
        await h.host.idle()
        return h.events.messages("agent.log")

    assert run(scenario) == [
        "http.request: the URL must start with http: or https:",
        "http.request: the URL must start with http: or https:",
        "http.request: the method must be a string",
        "http.request: the headers must be a table",
        "httprequest.sendasync: the request was sent already",
    ]


def test_json_round_trip_through_the_own_agent_url_keeps_values(run):
    agent = (
        ROUTER
        + """
    app <- Router();
    app.on("POST", "/sum", function(req, res) {
        local v = http.jsondecode(req.body);
        res.send(200, http.jsonencode({sum = v.a + v.b}));
    });
    http.post(http.agenturl() + "/sum", {}, http.jsonencode({a = 40, b = 2})).sendasync(function(r) {
        server.log(r.body);
    });
    """
    )

    async def scenario(h):
        await h.start("", agent)
        await h.host.idle()
        return [json.loads(line) for line in h.events.messages("agent.log")]

    assert run(scenario) == [{"sum": 42}]


def test_a_streaming_callback_gets_the_body_then_done_an_empty_one(run):
    agent = """
    http.onrequest(function(req, res) { res.send(200, "chunked body"); });
    http.get(http.agenturl() + "/s").sendasync(
        function(r) { server.log("done " + r.statuscode + " [" + r.body + "]"); },
        function(body) { server.log("stream " + body); });
    """

    async def scenario(h):
        await h.start("", agent)
        await h.host.idle()
        return h.events.messages("agent.log")

    assert run(scenario) == ["stream chunked body", "done 200 []"]


def test_a_malformed_url_is_statuscode_3(run):
    agent = 'http.get("http://:80/x").sendasync(@(r) server.log(r.statuscode + " " + r.body));'

    async def scenario(h):
        await h.start("", agent)
        await h.host.idle()
        return h.events.messages("agent.log")

    assert run(scenario, outbound=OutboundPolicy()) == ["3 the URL is malformed: it needs http: or https: and a host"]
