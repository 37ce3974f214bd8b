// A small agent router (our own, written for the emulator's tests): routes by method and path,
// parameters in the path as ":name", a fallback for the rest. Served over http.agenturl().
class Router {
    _routes = null;
    _fallback = null;

    constructor() {
        _routes = [];
        _fallback = function(request, response) { response.send(404, "no route for " + request.path); };
        http.onrequest(_dispatch.bindenv(this));
    }

    function on(method, pattern, handler) {
        local parts = split(pattern, "/");
        _routes.append({method = method.toupper(), parts = parts, handler = handler});
        return this;
    }

    function otherwise(handler) { _fallback = handler; return this; }

    function _match(route, path) {
        local got = split(path, "/");
        if (got.len() != route.parts.len()) return null;
        local params = {};
        foreach (i, part in route.parts) {
            if (part.len() > 0 && part[0] == ':') params[part.slice(1)] <- got[i];
            else if (part != got[i]) return null;
        }
        return params;
    }

    function _dispatch(request, response) {
        foreach (route in _routes) {
            if (route.method != request.method) continue;
            local params = _match(route, request.path);
            if (params != null) {
                request.params <- params;
                try {
                    route.handler(request, response);
                } catch (e) {
                    response.send(500, "handler failed: " + e);
                }
                return;
            }
        }
        _fallback(request, response);
    }
}
