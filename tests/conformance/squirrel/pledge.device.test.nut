// Conformance: closure.bindenv() keeps the bound object alive (README "The imp API, name by name"),
// shown by our Pledge mini-library, whose steps and settlers only bound closures refer to.
@include "lib/pledge.nut"

class PledgeTest extends ImpTestCase {
    function testAChainOfBoundStepsSettles() {
        return Promise(function(resolve, reject) {
            Pledge(function(ok, fail) { imp.wakeup(0.05, function() { ok(20); }); })
                .then(function(v) { return v + 1; })
                .then(function(v) { return Pledge(function(ok, fail) { ok(v * 2); }); })
                .then(function(v) {
                    if (v == 42) resolve(v); else reject("the chain gave " + v);
                }, reject);
        });
    }

    function testARejectionSkipsToTheHandler() {
        return Promise(function(resolve, reject) {
            Pledge(function(ok, fail) { throw "broken"; })
                .then(function(v) { reject("a resolved handler ran for a rejection"); })
                .fail(function(e) { if (e == "broken") resolve(e); else reject("got " + e); });
        });
    }

    function testABoundTableWithNoOtherReferenceStaysAlive() {
        local f = (function() { return this.answer; }).bindenv({answer = 42});
        this.assertEqual(42, f());
        return Promise(function(resolve, reject) {
            imp.wakeup(0.05, (function() {
                if (this.answer == 7) resolve(this.answer); else reject("wrong object");
            }).bindenv({answer = 7}));
        });
    }

    function testBindingAgainAndDescribingTheOriginal() {
        local holder = {n = 1};
        local f = (function(a, b) { return this.n + a + b; }).bindenv(holder);
        this.assertEqual(6, f(2, 3));
        this.assertEqual(3, f.getinfos().parameters.len());  // `this`, a, b: the original's
        local g = f.bindenv({n = 10});
        this.assertEqual(15, g(2, 3));
        this.assertEqual(6, f(2, 3));
    }
}
