// Connected Meter 400 application firmware 2.0 (device side): adds tariff-aware readings.
server.log("Connected Meter 400 firmware 2.0 ready");
imp.wakeup(30, function() { agent.send("reading", { "v": hardware.voltage(), "tariff": "peak" }); });
