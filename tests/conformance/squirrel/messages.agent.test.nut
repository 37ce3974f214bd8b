// Conformance: messages between agent and device, and the agent's view of the device's connection
// (README "The imp API, name by name"; partner device code: messages.device.nut).

class MessagesTest extends ImpTestCase {
    function testEcho() {
        local sent = {n = 1, s = "two", b = blob(2), a = [3, null, true]};
        return Promise(function(resolve, reject) {
            device.on("echoed", function(value) {
                if (value.n == 1 && value.s == "two" && typeof value.b == "blob" && value.a[2]) resolve("echoed");
                else reject("echoed something else");
            });
            device.send("echo", sent);
        });
    }

    function testTheAgentSeesADisconnectAndAReconnect() {
        local seen = [];
        return Promise(function(resolve, reject) {
            device.ondisconnect(function() { seen.append("disconnect"); });
            device.onconnect(function() { seen.append("connect"); });
            device.on("back", function(reason) {
                local order = seen.reduce(@(a, b) a + " " + b);
                if (reason == 5 && order == "disconnect connect" && device.isconnected()) resolve(order);
                else reject("saw " + order + ", reason " + reason);
            });
            device.send("drop", 0.2);
        });
    }
}
