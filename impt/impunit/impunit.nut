// An impUnit-compatible test framework, written for impt's test sessions from the impUnit facts in
// spec/impunit.md: ImpTestCase (assertions, info, runCommand) and ImpUnitRunner, which finds every
// ImpTestCase class in the root table and reports each step to impt as a JSON message over server.log:
// {"__IMPUNIT__": 1, "type": <T>, "session": <id>, "message": <M>}.
// Needs Promise and JSONEncoder (promise.nut, json_encoder.nut) and the imp API (server.log, imp.wakeup).
// Copyright the electricimp.impcentral authors. GPL-3.0-or-later.

class ImpTestCase {
    runner = null;
    session = null;
    assertions = 0;

    function assertTrue(condition, message = "Failed to assert that condition is true") {
        assertions++;
        if (!condition) throw message;
    }

    function assertEqual(expected, actual, message = "Expected value: %s, got: %s") {
        assertions++;
        if (expected != actual) throw format(message, expected + "", actual + "");
    }

    function assertGreater(actual, cmp, message = "Failed to assert that %s > %s") {
        assertions++;
        if (actual <= cmp) throw format(message, actual + "", cmp + "");
    }

    function assertLess(actual, cmp, message = "Failed to assert that %s < %s") {
        assertions++;
        if (actual >= cmp) throw format(message, actual + "", cmp + "");
    }

    function assertClose(expected, actual, maxDiff, message = "Expected value: %s±%s, got: %s") {
        assertions++;
        local difference = expected - actual;
        if (difference < 0) difference = -difference;
        if (difference > maxDiff) throw format(message, expected + "", maxDiff + "", actual + "");
    }

    function assertBetween(actual, from, to, message = "Expected value the range of %s..%s, got %s") {
        assertions++;
        if (from > to) {
            local swap = from;
            from = to;
            to = swap;
        }
        if (actual < from || actual > to) throw format(message, from + "", to + "", actual + "");
    }

    function assertThrowsError(fn, ctx, args = [], message = "Function was expected to throw an error") {
        assertions++;
        local callArgs = [ctx];
        callArgs.extend(args);
        try {
            fn.acall(callArgs);
        } catch (error) {
            return error;
        }
        throw message;
    }

    function assertDeepEqual(expected, actual, message = "Comparison failed on '%s': expected %s, got %s") {
        assertions++;
        _deepCompare(expected, actual, "", 0, false, message);
        _deepCompare(actual, expected, "", 0, true, message);
    }

    function info(message = "") {
        runner._send("INFO", {"message": message});
    }

    function runCommand(command = "") {
        runner._send("EXTERNAL_COMMAND", {"command": command});
    }

    // Walks `left` comparing it with `right`; `swapped` when left is the actual value (the second pass).
    function _deepCompare(left, right, path, level, swapped, message) {
        if (level > 32) throw "Possible cyclic reference at " + path;
        local leftType = typeof left;
        local rightType = typeof right;
        if (leftType != rightType) {
            throw format("Values are not the same type, typeof lhs = %s, typeof rhs = %s",
                swapped ? rightType : leftType, swapped ? leftType : rightType);
        }
        if (leftType == "blob") {
            if (left.len() != right.len()) {
                throw format("Blob lengths unequal, lhs.len() == %d, rhs.len() == %d",
                    swapped ? right.len() : left.len(), swapped ? left.len() : right.len());
            }
            if (left.tostring() != right.tostring()) {
                throw format("Blobs are the same length (%d bytes), but the contents are not identical.", left.len());
            }
            return;
        }
        if (leftType == "table" || leftType == "array" || leftType == "class") {
            foreach (key, value in left) {
                local keyPath = path == "" ? key + "" : path + "." + key;
                if (!(key in right)) {
                    throw format(message, keyPath, swapped ? "none" : value + "", swapped ? value + "" : "none");
                }
                _deepCompare(value, right[key], keyPath, level + 1, swapped, message);
            }
            return;
        }
        if (left != right) {
            throw format(message, path, swapped ? right + "" : left + "", swapped ? left + "" : right + "");
        }
    }
}

class ImpUnitRunner {
    timeout = 2;
    readableOutput = true;
    stopOnFailure = false;
    session = null;
    testClass = "";
    testCase = "";
    tests = 0;
    assertions = 0;
    failures = 0;

    _steps = null;
    _stopped = false;

    function run() {
        _steps = [];
        _send("SESSION_START", "");
        foreach (name in _testClassNames()) _addSteps(name, getroottable()[name]);
        _nextStep();
    }

    // ---- discovery ----

    function _testClassNames() {
        local names = [];
        foreach (name, value in getroottable()) {
            if (typeof value != "class" || value == ::ImpTestCase || !_derives(value)) continue;
            if (testClass != null && testClass != "" && testClass != name) continue;
            names.push(name);
        }
        names.sort();
        return names;
    }

    function _derives(cls) {
        local parent = cls.getbase();
        while (parent != null) {
            if (parent == ::ImpTestCase) return true;
            parent = parent.getbase();
        }
        return false;
    }

    function _addSteps(className, cls) {
        local methods = [];
        foreach (name, member in cls) {
            if (typeof member != "function" || name.len() < 4 || name.slice(0, 4) != "test") continue;
            if (testCase != null && testCase != "" && testCase != name) continue;
            methods.push(name);
        }
        methods.sort();  // a class without test methods still runs its setUp and tearDown, as impUnit does
        local instance = cls();
        instance.runner = this;
        instance.session = session;
        if ("setUp" in cls) _steps.push({"cls": className, "instance": instance, "method": "setUp", "test": false});
        foreach (name in methods) _steps.push({"cls": className, "instance": instance, "method": name, "test": true});
        if ("tearDown" in cls) _steps.push({"cls": className, "instance": instance, "method": "tearDown", "test": false});
    }

    // ---- running ----

    function _nextStep() {
        if (_stopped || _steps.len() == 0) {
            _send("SESSION_RESULT", {"tests": tests, "assertions": assertions, "failures": failures});
            return;
        }
        local step = _steps.remove(0);
        local before = step.instance.assertions;
        _send("TEST_START", step.cls + "::" + step.method + "()");
        if (step.test) tests++;
        local started = _now();
        local result = null;
        try {
            result = step.instance[step.method]();
        } catch (error) {
            _finish(step, before, false, error);
            return;
        }
        if (("Promise" in getroottable()) && typeof result == "instance" && result instanceof ::Promise) {
            _await(step, before, result);
            return;
        }
        local took = _now() - started;
        if (took > timeout) {
            _finish(step, before, false, "Test took " + took + "s, longer than timeout of " + timeout + "s");
            return;
        }
        _finish(step, before, true, result);
    }

    function _await(step, before, pending) {
        local runner = this;
        local state = {"settled": false, "timer": null};
        state.timer = imp.wakeup(timeout, function() {
            if (state.settled) return;
            state.settled = true;
            runner._finish(step, before, false, "Test timed out after " + runner.timeout + "s");
        });
        pending.then(function(value) {
            if (state.settled) return;
            state.settled = true;
            runner._cancel(state.timer);
            runner._finish(step, before, true, value);
        }, function(reason) {
            if (state.settled) return;
            state.settled = true;
            runner._cancel(state.timer);
            runner._finish(step, before, false, reason);
        });
    }

    function _finish(step, before, passed, value) {
        assertions += step.instance.assertions - before;
        if (passed) {
            _send("TEST_OK", value);
        } else {
            failures++;
            _send("TEST_FAIL", value);
            if (stopOnFailure) _stopped = true;
        }
        local runner = this;  // a strong reference: bindenv() would only keep a weak one to the runner
        imp.wakeup(0, function() { runner._nextStep(); });
    }

    function _cancel(timer) {
        if (timer != null && ("cancelwakeup" in imp)) imp.cancelwakeup(timer);
    }

    function _now() {
        local root = getroottable();
        if (("hardware" in root) && ("millis" in hardware)) return hardware.millis() / 1000.0;
        if ("date" in root) {
            local now = date();
            if ("usec" in now) return now.time + now.usec / 1000000.0;
        }
        return time();
    }

    // ---- the protocol ----

    function _send(type, message) {
        if (readableOutput) {
            local text = typeof message == "string" ? message : ::JSONEncoder.encode(message);
            server.log("[impUnit] " + type + (text == "" ? "" : ": " + text));
            return;
        }
        server.log(::JSONEncoder.encode({"__IMPUNIT__": 1, "type": type, "session": session, "message": message}));
    }
}
