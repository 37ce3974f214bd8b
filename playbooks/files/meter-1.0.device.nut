// Connected Meter 400 application firmware 1.0 (device side).
server.log("Connected Meter 400 firmware 1.0 ready");
imp.wakeup(60, function() { agent.send("reading", hardware.voltage()); });
