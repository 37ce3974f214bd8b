// Conformance: an agent's own HTTP requests (README "The imp API, name by name", "HTTP (agent)").
// Expected values: the imp API reference (the URL must start with http: or https:; the response table
// {statuscode, headers, rawheaders, body}; cancel drops the request) and the emulator's rules (an agent
// reaches this emulator's agent URLs; other targets need --allow-outbound, else statuscode 1).

class HttpAgentTest extends ImpTestCase {
    function setUp() {
        http.onrequest(function(request, response) {
            response.header("X-Echo", request.method);
            response.send(200, request.method + " " + request.path + " " + request.body);
        });
    }

    function testVerbsBuildRequestsAndCheckTheirUrl() {
        foreach (req in [http.get("http://a/"), http.post("http://a/", {}, "x"), http.put("https://a/", {}, "y"),
                         http.httpdelete("http://a/"), http.request("PATCH", "http://a/", {}, "")]) {
            this.assertEqual("instance", typeof req);
        }
        this.assertThrowsError(http.get, http, ["ftp://a/"]);
        this.assertThrowsError(http.request, http, ["GET", "a/", {}, ""]);
        this.assertEqual(0, VALIDATE_USING_SYSTEM_CA_CERTS);
        this.assertEqual(1, VALIDATE_NONE);
        this.assertEqual(-1, NO_TIMEOUT);
    }

    function testSendasyncToTheAgentsOwnUrl() {
        return Promise(function(resolve, reject) {
            http.post(http.agenturl() + "/echo", {}, "hello").sendasync(function(r) {
                if (r.statuscode == 200 && r.body == "POST /echo hello" && r.headers["x-echo"] == "POST"
                    && r.rawheaders.len() > 0) resolve(r.body);
                else reject("got " + r.statuscode + " " + r.body);
            }, null, NO_TIMEOUT);
        });
    }

    function testARefusedTargetIsStatuscode1() {
        return Promise(function(resolve, reject) {
            http.get("http://169.254.169.254/").setvalidation(VALIDATE_NONE).sendasync(function(r) {
                if (r.statuscode == 1) resolve(r.body); else reject("got " + r.statuscode);
            });
        });
    }

    function testCancelDropsTheCallback() {
        local called = [];
        local req = http.get(http.agenturl() + "/never-answered-here");
        req.sendasync(function(r) { called.append(r.statuscode); });
        req.cancel();
        return Promise(function(resolve, reject) {
            imp.wakeup(0.3, function() {
                if (called.len() == 0) resolve(0); else reject("the cancelled request called back");
            });
        });
    }
}
