// A release candidate that fails on the device: used to show the canary rollback.
server.log("Connected Meter 400 firmware 2.0 crashed: sensor init failed");
