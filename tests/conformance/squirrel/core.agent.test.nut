// Conformance: the platform core on an agent (README "The imp API, name by name").
// Expected values: the imp API reference (JSON, environment, server.save/load) and Squirrel 3.

class CoreAgentTest extends ImpTestCase {
    function testEnvironmentAndConstants() {
        this.assertEqual(ENVIRONMENT_AGENT, imp.environment());
        this.assertEqual(math.RAND_MAX, RAND_MAX);
        this.assertEqual(4, WAKEREASON_NEW_SQUIRREL);
        this.assertBetween(imp.getmemoryfree(), 1, 16 * 1024 * 1024);
        math.srand(3);
        this.assertBetween(math.rand(), 0, RAND_MAX);
    }

    function testJson() {
        local value = http.jsondecode("{\"a\": [1, 2.5, true, null, \"x\"], \"b\": {\"c\": \"d\"}}");
        this.assertDeepEqual({a = [1, 2.5, true, null, "x"], b = {c = "d"}}, value);
        this.assertEqual("{\"list\":[1,\"two\"]}", http.jsonencode({list = [1, "two"]}));
        this.assertEqual("a=1&b=x+y", http.urlencode({a = 1}) + "&" + http.urlencode({b = "x y"}));
    }

    function testAgentUrlAndHandler() {
        local url = http.agenturl();
        this.assertTrue(startswith(url, "http://") && url.find("/agents/") != null, url);
        http.onrequest(function(request, response) { response.send(200, "ok"); });
    }

    function testRegexp2() {
        // the regexp reference's own example: RE2 is greedy where Squirrel's regexp is not
        local r = regexp2("(b+)(bbb)");
        local spans = r.capture("bbbbbbb");
        this.assertDeepEqual([{begin = 0, end = 7}, {begin = 0, end = 4}, {begin = 4, end = 7}], spans);
        this.assertTrue(r.match("bbbbbbb"));
        this.assertTrue(!r.match("abbbb"));
        this.assertDeepEqual({begin = 1, end = 5}, r.search("abbbbc"));
        this.assertEqual(null, regexp2("q").search("abc"));
        this.assertEqual(1, regexp2(@"a\z").search("ba").begin);
        this.assertThrowsError(function() { regexp2("("); }, this);
    }

    function testSaveAndLoad() {
        local b = blob();
        b.writestring("\x00\xff");
        server.save({count = 3, raw = b});
        local back = server.load();
        this.assertEqual(3, back.count);
        this.assertDeepEqual(b, back.raw);
    }

    function testLogLines() {
        this.assertEqual(0, server.log("conformance: agent log line"));
        this.assertEqual(0, server.error("conformance: agent error line"));
    }

    function testDeviceIsConnected() {
        this.assertTrue(device.isconnected());
    }

    function testTimersAndTime() {
        local start = date();
        this.assertEqual(start.time, time());
        return Promise(function(resolve, reject) {
            local cancelled = imp.wakeup(0.05, function() { reject("a cancelled timer fired"); });
            imp.cancelwakeup(cancelled);
            imp.wakeup(0.1, function() { resolve("fired"); });
        });
    }
}
