// impt test runner: runs ImpTestCase classes on the imp and reports each step with server.log
// in the impUnit log protocol ({"__IMPUNIT__":1,"type":...,"session":...,"message":...}).
// A test method may return an object with then(onDone, onError) to finish asynchronously.

class ImpTestCase {
    runner = null;
    assertions = 0;

    function setUp() {}
    function tearDown() {}

    function info(value) {
        runner.report("INFO", {"message": value});
    }

    function assertTrue(condition, message = "Failed to assert that condition is true") {
        assertions++;
        if (!condition) throw message;
    }

    function assertEqual(expected, actual, message = null) {
        assertions++;
        if (expected != actual) {
            throw message != null ? message : "Expected value: " + expected + ", got: " + actual;
        }
    }

    function assertClose(expected, actual, maxDiff, message = null) {
        assertions++;
        if (math.fabs(expected - actual) > maxDiff) {
            throw message != null ? message : "Expected value: " + expected + " +/- " + maxDiff + ", got: " + actual;
        }
    }

    function assertBetween(actual, low, high, message = null) {
        assertions++;
        if (actual < low || actual > high) {
            throw message != null ? message : "Expected value in range " + low + ".." + high + ", got: " + actual;
        }
    }

    function assertThrowsError(callback, context, args = [], message = null) {
        assertions++;
        local callArgs = [context];
        callArgs.extend(args);
        try {
            callback.acall(callArgs);
        } catch (error) {
            return error;
        }
        throw message != null ? message : "Function was expected to throw an error";
    }
}

class ImptTestRunner {
    session = "";
    timeout = 30;
    stopOnFailure = false;
    testClass = "";
    testCase = "";

    _classes = null;
    _steps = null;
    _tests = 0;
    _assertions = 0;
    _failures = 0;
    _stopped = false;

    constructor(classes) {
        _classes = classes;
        _steps = [];
    }

    function report(kind, message) {
        server.log(_json({"__IMPUNIT__": 1, "type": kind, "session": session, "message": message}));
    }

    function run() {
        report("SESSION_START", "");
        foreach (entry in _classes) {
            if (testClass != "" && testClass != entry[0]) continue;
            local names = [];
            foreach (member, value in entry[1]) {
                local isTest = typeof value == "function" && member.len() >= 4 && member.slice(0, 4) == "test";
                if (isTest && (testCase == "" || testCase == member)) names.push(member);
            }
            if (names.len() == 0) continue;
            names.sort();
            local instance = entry[1]();
            instance.runner = this;
            _steps.push([entry[0], instance, "setUp", false]);
            foreach (name in names) _steps.push([entry[0], instance, name, true]);
            _steps.push([entry[0], instance, "tearDown", false]);
        }
        _next();
    }

    function _next() {
        if (_stopped || _steps.len() == 0) {
            report("SESSION_RESULT", {"tests": _tests, "assertions": _assertions, "failures": _failures});
            return;
        }
        local step = _steps.remove(0);
        local instance = step[1];
        local before = instance.assertions;
        report("TEST_START", step[0] + "::" + step[2] + "()");
        if (step[3]) _tests++;
        local result = null;
        try {
            result = instance[step[2]]();
        } catch (error) {
            _done(instance, before, false, error);
            return;
        }
        if (typeof result == "instance" && "then" in result) {
            _await(result, instance, before);
        } else {
            _done(instance, before, true, result);
        }
    }

    function _await(pending, instance, before) {
        local runner = this;
        local finished = false;
        local timer = imp.wakeup(timeout, function() {
            if (finished) return;
            finished = true;
            runner._done(instance, before, false, "Test timed out after " + runner.timeout + "s");
        });
        pending.then(function(value) {
            if (finished) return;
            finished = true;
            imp.cancelwakeup(timer);
            runner._done(instance, before, true, value);
        }, function(error) {
            if (finished) return;
            finished = true;
            imp.cancelwakeup(timer);
            runner._done(instance, before, false, error);
        });
    }

    function _done(instance, before, passed, value) {
        _assertions += instance.assertions - before;
        if (passed) {
            report("TEST_OK", value);
        } else {
            _failures++;
            report("TEST_FAIL", typeof value == "string" ? value : _text(value));
            if (stopOnFailure) _stopped = true;
        }
        imp.wakeup(0, _next.bindenv(this));
    }

    function _text(value) {
        return value == null ? "null" : value.tostring();
    }

    function _json(value) {
        local kind = typeof value;
        if (kind == "null") return "null";
        if (kind == "bool") return value ? "true" : "false";
        if (kind == "integer" || kind == "float") return value.tostring();
        if (kind == "array") {
            local parts = [];
            foreach (item in value) parts.push(_json(item));
            return "[" + _join(parts) + "]";
        }
        if (kind == "table") {
            local parts = [];
            foreach (key, item in value) parts.push(_quote(key.tostring()) + ":" + _json(item));
            return "{" + _join(parts) + "}";
        }
        return _quote(_text(value));
    }

    function _join(parts) {
        local text = "";
        foreach (index, part in parts) text += (index > 0 ? "," : "") + part;
        return text;
    }

    function _quote(text) {
        local quoted = "\"";
        foreach (code in text) {
            if (code == '"') quoted += "\\\"";
            else if (code == '\\') quoted += "\\\\";
            else if (code == '\n') quoted += "\\n";
            else if (code == '\r') quoted += "\\r";
            else if (code == '\t') quoted += "\\t";
            else if (code >= 0 && code < 32) quoted += format("\\u%04x", code);
            else quoted += format("%c", code);
        }
        return quoted + "\"";
    }
}
