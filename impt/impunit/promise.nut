// Promise with the API of Electric Imp's Promise library 4.x, written for impt's test sessions.
// Handlers always run from imp.wakeup(0, ...), never inside the call that settles the promise.
// Copyright the electricimp.impcentral authors. GPL-3.0-or-later.

class Promise {
    static VERSION = "4.0.0";

    _state = 0;        // 0 pending, 1 fulfilled, 2 rejected
    _value = null;
    _handlers = null;
    _claimed = false;  // resolve/reject was called (possibly adopting another promise)

    constructor(action) {
        _handlers = [];
        local self = this;
        try {
            action(function(value = null) { self._claim(1, value); },
                   function(reason = null) { self._claim(2, reason); });
        } catch (error) {
            _claim(2, error);
        }
    }

    function then(onFulfilled = null, onRejected = null) {
        local handler = {"onFulfilled": onFulfilled, "onRejected": onRejected, "resolve": null, "reject": null};
        local next = ::Promise(function(resolve, reject) {
            handler.resolve = resolve;
            handler.reject = reject;
        });
        if (_state == 0) {
            _handlers.push(handler);
        } else {
            _schedule(handler);
        }
        return next;
    }

    function fail(onRejected) {
        return then(null, onRejected);
    }

    function finally(onSettled) {
        return then(onSettled, onSettled);
    }

    // ---- the static side: called as Promise.resolve(...), Promise.all(...) ----

    function resolve(value = null) {
        return ::Promise(function(resolve, reject) { resolve(value); });
    }

    function reject(reason = null) {
        return ::Promise(function(resolve, reject) { reject(reason); });
    }

    function all(promises) {
        return ::Promise(function(resolve, reject) {
            local state = {"values": array(promises.len()), "left": promises.len()};
            if (state.left == 0) {
                resolve(state.values);
                return;
            }
            foreach (index, item in promises) {
                ::Promise.resolve(item).then(::Promise._collect(state, index, resolve), reject);
            }
        });
    }

    function race(promises) {
        return ::Promise(function(resolve, reject) {
            foreach (item in promises) {
                ::Promise.resolve(item).then(resolve, reject);
            }
        });
    }

    function loop(continueFunction, nextFunction) {
        return ::Promise(function(resolve, reject) {
            ::Promise._loopStep(continueFunction, nextFunction, {"last": null}, resolve, reject);
        });
    }

    function serial(items) {
        return ::Promise(function(resolve, reject) {
            ::Promise._serialStep(items, 0, null, resolve, reject);
        });
    }

    // ---- internals ----

    function _collect(state, index, resolve) {
        return function(value) {
            state.values[index] = value;
            state.left--;
            if (state.left == 0) resolve(state.values);
        };
    }

    function _loopStep(continueFunction, nextFunction, state, resolve, reject) {
        local again = false;
        local pending = null;
        try {
            again = continueFunction();
            if (again) pending = ::Promise.resolve(nextFunction());
        } catch (error) {
            reject(error);
            return;
        }
        if (!again) {
            resolve(state.last);
            return;
        }
        pending.then(function(value) {
            state.last = value;
            ::Promise._loopStep(continueFunction, nextFunction, state, resolve, reject);
        }, reject);
    }

    function _serialStep(items, index, last, resolve, reject) {
        if (index >= items.len()) {
            resolve(last);
            return;
        }
        local pending = null;
        try {
            local item = items[index];
            pending = ::Promise.resolve(typeof item == "function" ? item() : item);
        } catch (error) {
            reject(error);
            return;
        }
        pending.then(function(value) {
            ::Promise._serialStep(items, index + 1, value, resolve, reject);
        }, reject);
    }

    function _isThenable(value) {
        return typeof value == "instance" && ("then" in value);
    }

    function _claim(state, value) {
        if (_claimed) return;
        _claimed = true;
        if (state == 1 && _isThenable(value)) {
            local self = this;
            try {
                value.then(function(result = null) { self._settle(1, result); },
                           function(reason = null) { self._settle(2, reason); });
            } catch (error) {
                _settle(2, error);
            }
            return;
        }
        _settle(state, value);
    }

    function _settle(state, value) {
        if (_state != 0) return;
        _state = state;
        _value = value;
        foreach (handler in _handlers) _schedule(handler);
        _handlers = [];
    }

    function _schedule(handler) {
        local self = this;
        imp.wakeup(0, function() { self._run(handler); });
    }

    function _run(handler) {
        local callback = _state == 1 ? handler.onFulfilled : handler.onRejected;
        if (callback == null) {
            if (_state == 1) handler.resolve(_value); else handler.reject(_value);
            return;
        }
        local result = null;
        try {
            result = callback(_value);
        } catch (error) {
            handler.reject(error);
            return;
        }
        handler.resolve(result);
    }
}
