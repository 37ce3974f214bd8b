// A release candidate that fails on the device: used to show the canary rollback.
// Its sensor table has no calibration slot, so reading one crashes the code at boot
// ("ERROR: the index 'calibration' does not exist") and the device restarts, again and again.
local sensor = { "model": "CM400", "channels": 3 };
server.log("Connected Meter 400 firmware 2.0 starting");
local offset = sensor.calibration.offset;
server.log("Connected Meter 400 firmware 2.0 ready, offset " + offset);
