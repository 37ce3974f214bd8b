// Pledge: a small Promise-style class, our own mini-library in the style of Electric Imp's libraries.
// Its callbacks are bound with bindenv() to objects that nothing else refers to: every then() makes a
// PledgeStep that only the closure bound to it holds, and the executor's resolve/reject are bound to a
// PledgeSettler that only they hold. On an imp bindenv() keeps the bound object alive, so this works;
// with a weak binding the step or settler is gone when its callback runs.

class Pledge {
    _state = null;    // "pending", "resolved" or "rejected"
    _value = null;
    _waiting = null;  // bound PledgeStep.run closures to call once settled

    constructor(executor) {
        _state = "pending";
        _waiting = [];
        local settler = PledgeSettler(this);
        try {
            executor(settler.resolve.bindenv(settler), settler.reject.bindenv(settler));
        } catch (e) {
            _settle("rejected", e);
        }
    }

    function then(onResolved = null, onRejected = null) {
        local next = Pledge(function(resolve, reject) {});
        local step = PledgeStep(onResolved, onRejected, next);
        local run = step.run.bindenv(step);
        if (_state == "pending") {
            _waiting.append(run);
        } else {
            _later(run);
        }
        return next;
    }

    function fail(onRejected) {
        return then(null, onRejected);
    }

    function _settle(state, value) {
        if (_state != "pending") return;
        if (state == "resolved" && value instanceof Pledge) {
            local settler = PledgeSettler(this);
            value.then(settler.resolve.bindenv(settler), settler.reject.bindenv(settler));
            return;
        }
        _state = state;
        _value = value;
        foreach (run in _waiting) _later(run);
        _waiting = [];
    }

    function _later(run) {
        local state = _state;
        local value = _value;
        imp.wakeup(0, function() { run(state, value); });
    }
}

class PledgeSettler {
    _pledge = null;

    constructor(pledge) {
        _pledge = pledge;
    }

    function resolve(value) {
        _pledge._settle("resolved", value);
    }

    function reject(reason) {
        _pledge._settle("rejected", reason);
    }
}

class PledgeStep {
    _onResolved = null;
    _onRejected = null;
    _next = null;

    constructor(onResolved, onRejected, next) {
        _onResolved = onResolved;
        _onRejected = onRejected;
        _next = next;
    }

    function run(state, value) {
        local handler = state == "resolved" ? _onResolved : _onRejected;
        if (handler == null) {
            _next._settle(state, value);
            return;
        }
        try {
            _next._settle("resolved", handler(value));
        } catch (e) {
            _next._settle("rejected", e);
        }
    }
}
