// Factory agent: records blessing results.
server.log("factory agent started");
