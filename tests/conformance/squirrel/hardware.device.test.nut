// Conformance: simulated hardware on a device (README "The imp API, name by name", "Hardware, nv and
// power"). Expected values: the imp API reference (spiflash.erasesector sets a 4 KB sector to 1s and
// refuses an unaligned address; a disabled spiflash raises an error; i2c.readerror codes -13 "not
// enabled" and -9 "peripheral NACKed"; imp.onidle runs once; deepsleepfor takes 0-2,419,198 s) and the
// emulator's sizes (README: 4 MiB on the imp004m the suite runs on).

class HardwareTest extends ImpTestCase {
    function _bytes(values) {
        local b = blob(values.len());
        foreach (v in values) b.writen(v, 'b');
        return b;
    }

    function testSpiflashSectorsEraseToOnesAndWritesClearBits() {
        local f = hardware.spiflash;
        f.disable();
        this.assertThrowsError(f.read, f, [0, 1]);
        f.enable();
        this.assertEqual(4 * 1024 * 1024, f.size());
        this.assertEqual(0xC22016, f.chipid());
        f.erasesector(0x3F000);
        this.assertDeepEqual(this._bytes([0xFF, 0xFF]), f.read(0x3F000, 2));
        this.assertEqual(0, f.write(0x3F000, this._bytes([0x0F, 0xF0]), SPIFLASH_PREVERIFY));
        this.assertEqual(1, f.write(0x3F000, this._bytes([0xF3, 0xFF]), SPIFLASH_POSTVERIFY));
        local into = blob(0);
        f.readintoblob(0x3F000, into, 2);
        this.assertDeepEqual(this._bytes([0x03, 0xF0]), into);
        this.assertThrowsError(f.erasesector, f, [0x3F001]);
        this.assertThrowsError(f.read, f, [f.size() - 1, 2]);
        f.erasesector(0x3F000);
        this.assertDeepEqual(this._bytes([0xFF]), f.read(0x3F000, 1));
    }

    function testPinsRememberTheirModeAndValue() {
        local all = [hardware.pinA, hardware.pinB, hardware.pinC, hardware.pinD, hardware.pinE, hardware.pinF, hardware.pinG,
                     hardware.pinH, hardware.pinJ, hardware.pinK, hardware.pinL, hardware.pinM, hardware.pinN,
                     hardware.pinP, hardware.pinQ, hardware.pinR, hardware.pinS, hardware.pinT, hardware.pinU,
                     hardware.pinV, hardware.pinW, hardware.pinX, hardware.pinY, hardware.pinZ];
        foreach (pin in all) {
            pin.configure(DIGITAL_OUT, 1);
            this.assertEqual(1, pin.read());
            pin.write(0);
            this.assertEqual(0, pin.read());
        }
        local p = hardware.pinA;
        p.configure(DIGITAL_IN_PULLUP);
        this.assertEqual(1, p.read());
        this.assertThrowsError(p.write, p, [1]);
        foreach (mode in [DIGITAL_IN, DIGITAL_IN_PULLDOWN, DIGITAL_IN_WAKEUP, ANALOG_IN, PULSE_COUNTER]) {
            p.configure(mode);
            this.assertEqual(0, p.read());
        }
        foreach (mode in [DIGITAL_OUT_OD, DIGITAL_OUT_OD_PULLUP, ANALOG_OUT]) {
            p.configure(mode, 1);
            this.assertEqual(1, p.read());
        }
        p.configure(PWM_OUT, 0.001, 0.5);
        this.assertEqual(0.5, p.read());
        p.configure(PWM_OUT_STEPS, 0.001, 3);
        this.assertEqual(3, p.read());
        this.assertEqual("pinA", p.getname());
        p.disable();
        this.assertThrowsError(p.read, p);
    }

    function testI2cWithNothingAttached() {
        local buses = [hardware.i2c12, hardware.i2c89, hardware.i2cAB, hardware.i2cFG, hardware.i2cJK, hardware.i2cKL,
                       hardware.i2cNP, hardware.i2cPQ, hardware.i2cXDE, hardware.i2c0];
        foreach (bus in buses) {
            this.assertEqual(null, bus.read(0x52, "\x00", 2));
            this.assertEqual(-13, bus.readerror());
            foreach (speed in [CLOCK_SPEED_10_KHZ, CLOCK_SPEED_50_KHZ, CLOCK_SPEED_100_KHZ, CLOCK_SPEED_400_KHZ]) {
                bus.configure(speed);
                this.assertEqual(null, bus.read(0x52, "\x00", 2));
                this.assertEqual(-9, bus.readerror());
                this.assertEqual(-9, bus.write(0x52, "\x00\x01"));
            }
            bus.disable();
        }
    }

    function testSpiWithNothingAttached() {
        local buses = [hardware.spi189, hardware.spi257, hardware.spiBCAD, hardware.spiEBCA, hardware.spiLGDK, hardware.spiPQRS,
                       hardware.spiAHSR, hardware.spiXTUVW, hardware.spi0];
        local modes = [CLOCK_IDLE_HIGH, CLOCK_IDLE_LOW, CLOCK_2ND_EDGE, MSB_FIRST, LSB_FIRST, NO_SCLK, NO_RX,
                       NO_TX, USE_CS_L];
        foreach (bus in buses) {
            this.assertThrowsError(bus.write, bus, ["ab"]);
            foreach (mode in modes) this.assertEqual(1000.0, bus.configure(mode, 1000));
            this.assertEqual(2, bus.write("ab"));
            this.assertEqual(255, bus.readblob(2)[1]);
            this.assertEqual(3, bus.writeread(blob(3)).len());
            bus.disable();
        }
    }

    function testSleepTimesAreChecked() {
        this.assertThrowsError(imp.deepsleepfor, imp, [-1]);
        this.assertThrowsError(imp.deepsleepfor, imp, [2419199]);
        this.assertThrowsError(imp.deepsleepuntil, imp, [24, 0]);
        this.assertThrowsError(server.sleepfor, server, [-1]);
        this.assertThrowsError(server.sleepuntil, server, [12, 61]);
    }

    function testOnidleRunsOnce() {
        local runs = [];
        imp.onidle(function() { runs.append(1); });
        return Promise(function(resolve, reject) {
            imp.wakeup(0.2, function() {
                if (runs.len() == 1) resolve(runs.len()); else reject("onidle ran " + runs.len() + " times");
            });
        });
    }
}
