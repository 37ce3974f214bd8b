// Factory firmware 1.0: runs on the fixtures (BlinkUp) and on DUTs until they are blessed.
server.log("Factory firmware 1.0 ready");
