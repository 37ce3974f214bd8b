// Conformance: the language and platform core on a device (README "The imp API, name by name").
// Expected values: Squirrel 3 semantics, and the imp API reference for the imp's own names.

class LoadsWithRandMax {
    limit = RAND_MAX;  // a member initialised from the root constant: the file must load
}

class CoreDeviceTest extends ImpTestCase {
    function testRandMaxIsAtTheRoot() {
        this.assertEqual(math.RAND_MAX, RAND_MAX);
        this.assertEqual(RAND_MAX, LoadsWithRandMax().limit);
        this.assertBetween(math.rand(), 0, RAND_MAX);
    }

    function testMathFunctions() {
        this.assertEqual(2, math.abs(-2));
        this.assertEqual(2.5, math.fabs(-2.5));
        this.assertEqual(3.0, math.ceil(2.1));
        this.assertEqual(2.0, math.floor(2.9));
        this.assertEqual(8.0, math.pow(2, 3));
        this.assertEqual(3.0, math.sqrt(9));
        this.assertClose(3.141592, math.PI, 1e-5);
        this.assertClose(0.0, math.cos(math.PI / 2), 1e-6);
        this.assertClose(1.0, math.sin(math.PI / 2), 1e-6);
        this.assertClose(1.0, math.tan(math.PI / 4), 1e-6);
        this.assertClose(math.PI / 2, math.acos(0.0), 1e-6);
        this.assertClose(math.PI / 2, math.asin(1.0), 1e-6);
        this.assertClose(math.PI / 4, math.atan(1.0), 1e-6);
        this.assertClose(math.PI / 4, math.atan2(1.0, 1.0), 1e-6);
        this.assertClose(2.718281, math.exp(1.0), 1e-5);
        this.assertClose(1.0, math.log(math.exp(1.0)), 1e-5);
        this.assertClose(3.0, math.log10(1000.0), 1e-5);
    }

    function testSrandHasNoEffect() {
        math.srand(1);
        local a = [math.rand(), math.rand(), math.rand()];
        math.srand(1);
        local b = [math.rand(), math.rand(), math.rand()];
        this.assertTrue(a[0] != b[0] || a[1] != b[1] || a[2] != b[2], "srand reseeded the generator");
    }

    function testStringFunctions() {
        this.assertDeepEqual(["a", "b", "c"], split("a,b,c", ","));
        this.assertEqual("x y", strip("  x y \t"));
        this.assertEqual("x ", lstrip("  x "));
        this.assertEqual("  x", rstrip("  x "));
        this.assertEqual("1-a-2.50", format("%d-%s-%.2f", 1, "a", 2.5));
        this.assertTrue(startswith("hello", "he"));
        this.assertTrue(endswith("hello", "lo"));
        this.assertEqual("a\\\"b", escape("a\"b"));
        this.assertEqual("hello", "HeLLo".tolower());
        this.assertEqual("HELLO", "hello".toupper());
        this.assertEqual("ell", "hello".slice(1, 4));
        this.assertEqual(2, "hello".find("l"));
        this.assertEqual(12, "12".tointeger());
        this.assertEqual(2.5, "2.5".tofloat());
    }

    function testRegexp() {
        local ex = regexp(@"(\d+)-(\d+)");
        this.assertTrue(ex.match("12-34"));
        this.assertEqual(3, ex.subexpcount());
        local found = ex.search("ab12-34");
        this.assertEqual(2, found.begin);
        local parts = ex.capture("ab12-34");
        this.assertEqual("34", "ab12-34".slice(parts[2].begin, parts[2].end));
    }

    function testArrayFunctions() {
        local a = array(2, 0);
        a.append(3);
        a.extend([4, 5]);
        this.assertEqual(5, a.pop());
        this.assertEqual(4, a.top());
        a.insert(0, 9);
        a.remove(0);
        a.resize(5, 1);
        this.assertDeepEqual([0, 0, 3, 4, 1], a);
        a.sort();
        this.assertDeepEqual([0, 0, 1, 3, 4], a);
        a.reverse();
        this.assertDeepEqual([4, 3], a.slice(0, 2));
        this.assertDeepEqual([8, 6, 2, 0, 0], a.map(@(x) x * 2));
        this.assertEqual(8, a.reduce(@(x, y) x + y));
        this.assertDeepEqual([4, 3], a.filter(@(i, x) x > 2));
        this.assertEqual(1, a.find(3));
        a.apply(@(x) x + 1);
        this.assertEqual(5, a[0]);
        a.clear();
        this.assertEqual(0, a.len());
    }

    function testBaseLibrary() {
        this.assertEqual("integer", type(1));
        assert(true);
        this.assertEqual(2, compilestring("return 1 + 1;")());
        this.assertTrue("server" in getroottable());
        this.assertEqual("table", type(getconsttable()));
        local root = getroottable();
        setroottable(root);
        setconsttable(getconsttable());
        this.assertEqual("function", type(callee()));
        local thread = newthread(function(x) { return x * 2; });
        this.assertEqual(6, thread.call(3));
        this.assertEqual("string", type(_version_));
        this.assertTrue(_versionnumber_ > 0);
        this.assertEqual(4, _intsize_);
        this.assertEqual(4, _floatsize_);
        this.assertEqual(1, _charsize_);
    }

    function testDateAndTime() {
        local now = time();
        local d = date(now);
        this.assertEqual(now, d.time);
        this.assertBetween(d.month, 0, 11);
        this.assertBetween(d.wday, 0, 6);
        this.assertBetween(d.usec, 0, 999999);
        local epoch = date(0);
        this.assertDeepEqual([1970, 0, 1, 4, 0], [epoch.year, epoch.month, epoch.day, epoch.wday, epoch.yday]);
    }

    function testEnvironmentOfAModule() {
        this.assertDeepEqual([0, 1, 2], [ENVIRONMENT_CARD, ENVIRONMENT_MODULE, ENVIRONMENT_AGENT]);
        this.assertEqual(ENVIRONMENT_MODULE, imp.environment());  // the suite's device is an imp004m
    }

    function testDeviceFacts() {
        this.assertEqual(12, imp.getmacaddress().len());
        this.assertEqual("string", type(imp.getsoftwareversion()));
        this.assertEqual("imp004m", imp.info().type);
        this.assertEqual("string", type(hardware.getdeviceid()));
        this.assertEqual("integer", type(hardware.wakereason()));
        this.assertClose(3.3, hardware.voltage(), 0.01);
        this.assertEqual(-50, imp.rssi());  // the emulator's steady signal (README)
        this.assertBetween(imp.getmemoryfree(), 1, 16 * 1024 * 1024);
        this.assertDeepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [WAKEREASON_POWER_ON, WAKEREASON_TIMER,
            WAKEREASON_SW_RESET, WAKEREASON_PIN, WAKEREASON_NEW_SQUIRREL, WAKEREASON_SQUIRREL_ERROR,
            WAKEREASON_NEW_FIRMWARE, WAKEREASON_SNOOZE, WAKEREASON_HW_RESET, WAKEREASON_BLINKUP,
            WAKEREASON_SW_RESTART]);
    }

    function testSleepAdvancesTheClock() {
        local before = hardware.millis();
        local micros = hardware.micros();
        local seconds = clock();
        imp.sleep(0.05);
        this.assertClose(0.05, clock() - seconds, 0.001);
        this.assertTrue(hardware.millis() - before >= 50);
        this.assertTrue(hardware.micros() - micros >= 50000);
    }

    function testTimers() {
        return Promise(function(resolve, reject) {
            local cancelled = imp.wakeup(0.05, function() { reject("a cancelled timer fired"); });
            imp.cancelwakeup(cancelled);
            imp.wakeup(0.1, function() { resolve("fired"); });
        });
    }
}
