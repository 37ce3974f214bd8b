// Conformance: the device's connection to the server (README "The imp API, name by name"). Expected
// values: the imp API reference's server pages (constants, policies, what sends return).

class ServerTest extends ImpTestCase {
    function testConstants() {
        this.assertDeepEqual([0, 1, 2], [SUSPEND_ON_ERROR, RETURN_ON_ERROR, RETURN_ON_ERROR_NO_DISCONNECT]);
        this.assertDeepEqual([0, 1], [WAIT_TIL_SENT, WAIT_FOR_ACK]);
        this.assertDeepEqual([0, 1, 1, 2, 3, 4, 5, 6, 7], [NOT_CONNECTED, NO_WIFI, NO_LINK, NO_IP_ADDRESS,
            NOT_RESOLVED, NO_SERVER, SERVER_CONNECTED, NO_PROXY, NOT_AUTHORISED]);
        this.assertDeepEqual([1, 2, 3, 4], [SEND_ERROR_NOT_CONNECTED, SEND_ERROR_TIMEOUT,
            SEND_ERROR_DISCONNECTED, SEND_ERROR_WOULDBLOCK]);
        this.assertDeepEqual([1, 2, 3], [SHUTDOWN_NEWSQUIRREL, SHUTDOWN_NEWFIRMWARE, SHUTDOWN_OTHER]);
    }

    function testConnectedAndLogging() {
        this.assertTrue(server.isconnected());
        this.assertEqual(0, server.log("conformance: device log line"));
        this.assertEqual(0, server.error("conformance: device error line"));
        this.assertEqual(0, agent.send("conformance", 1));
        this.assertTrue(server.flush(5));
    }

    function testPolicyIsChecked() {
        this.assertThrowsError(server.setsendtimeoutpolicy, server, [7, WAIT_TIL_SENT, 10]);
        this.assertThrowsError(server.setsendtimeoutpolicy, server, [RETURN_ON_ERROR, 9, 10]);
        this.assertThrowsError(server.setsendtimeoutpolicy, server, [RETURN_ON_ERROR, WAIT_FOR_ACK, -1]);
    }

    function testHandlersAreKept() {
        server.onunexpecteddisconnect(function(reason) {});
        server.onshutdown(function(reason) { server.restart(); });
        server.onshutdown(null);
        this.assertThrowsError(server.onunexpecteddisconnect, server, [5]);
    }

    function testSuspendOnErrorReconnectsOnSend() {
        server.setsendtimeoutpolicy(SUSPEND_ON_ERROR, WAIT_TIL_SENT, 30);
        server.disconnect();
        this.assertTrue(!server.isconnected());
        this.assertEqual(0, agent.send("conformance", 2));  // the imp reconnects before it sends
        this.assertTrue(server.isconnected());
    }

    function testReturnOnErrorUntilConnect() {
        server.setsendtimeoutpolicy(RETURN_ON_ERROR, WAIT_FOR_ACK, 10);
        server.disconnect();
        local sent = agent.send("conformance", 3);
        local logged = server.log("not logged: disconnected");
        local flushed = server.flush(1);
        return Promise(function(resolve, reject) {
            server.connect(function(reason) {
                server.setsendtimeoutpolicy(SUSPEND_ON_ERROR, WAIT_TIL_SENT, 30);
                if (sent == SEND_ERROR_NOT_CONNECTED && logged == SEND_ERROR_NOT_CONNECTED && !flushed
                    && reason == SERVER_CONNECTED && server.isconnected()) {
                    resolve(reason);
                } else {
                    reject(format("sent %d, logged %d, reason %d", sent, logged, reason));
                }
            }, 30);
        });
    }
}
