// Conformance: server.restart() (README "The imp API, name by name"; partner device code:
// restart.device.nut). The device boots again with WAKEREASON_SW_RESTART; the agent keeps running.

class RestartTest extends ImpTestCase {
    function testTheDeviceBootsAgain() {
        return Promise(function(resolve, reject) {
            device.on("woke", function(reason) {
                if (reason == WAKEREASON_SW_RESTART) resolve(reason);
            });
            device.send("restart", null);
            imp.wakeup(8, function() { reject("the device did not restart"); });
        });
    }
}
