// Partner of messages.agent.test.nut: echoes, and drops its connection for a while when asked.
agent.on("echo", function(value) { agent.send("echoed", value); });
agent.on("drop", function(seconds) {
    server.setsendtimeoutpolicy(RETURN_ON_ERROR, WAIT_TIL_SENT, 10);
    server.disconnect();
    imp.wakeup(seconds, function() {
        server.connect(function(reason) { agent.send("back", reason); }, 30);
    });
});
