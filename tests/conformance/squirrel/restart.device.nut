// Partner of restart.agent.test.nut: restarts once when asked, then reports how it woke.
agent.on("restart", function(_) { server.restart(); });
agent.send("woke", hardware.wakereason());
