"""Simulated hardware: SPI flash, pins, I2C and SPI buses, nv, deep sleep, imp.onidle, the hardware getters.

Expected values come from Electric Imp's API reference: `spiflash.erasesector` sets every bit of a
4 KB sector to 1 and refuses an address off a 4 KB boundary, a flash write can only clear bits, a
disabled spiflash raises an error; `i2c.readerror()`: -13 "not enabled" on an unconfigured bus, -9 the
peripheral NACKs (nothing attached answers); `imp.deepsleepfor` stops the code, the device wakes after
the time with `WAKEREASON_TIMER` and the `nv` table kept (not through a power cycle or new code);
`imp.onidle` runs once when the imp next goes idle. Sizes per imp type are the emulator's
(`impcentral_emulator/runtime/hardware.py`, `FLASH_BYTES`).
"""

from __future__ import annotations

import dataclasses
import mmap
from pathlib import Path

import pytest

from impcentral_emulator.runtime.hardware import FLASH_BYTES, FLASH_CHIP_ID
from impcentral_emulator.runtime.limits import Limits
from impcentral_emulator.runtime.worker import PROGRESS, Worker

LOGGER = (Path(__file__).parent / "nut" / "flash_logger.device.nut").read_text()
WAKEREASON_POWER_ON, WAKEREASON_TIMER, WAKEREASON_NEW_SQUIRREL, WAKEREASON_SW_RESTART = 0, 1, 4, 10


class Device:
    """A device VM in this process (one worker), booted with the given imp type and wake reason."""

    def __init__(self) -> None:
        self.worker = Worker(Limits(cpu_seconds=5.0, memory_bytes=64 * 1024 * 1024))
        self.progress = mmap.mmap(-1, PROGRESS.size)
        self.seq = 0
        self.boots = 0
        self.now = 1_767_225_600.0

    def event(self, op: str, payload: object) -> list:
        self.seq += 1
        return self.worker.run_batch([(self.seq, f"d:dev1#{self.boots}", op, payload, self.now)], self.progress)

    def boot(self, code: str, imp_type: str = "imp005", wake: int = 0, **extra: object) -> list[str]:
        if self.boots:
            self.event("stop", None)
        self.boots += 1
        facts = {
            "device_id": "dev1",
            "agent_id": "agent1",
            "mac": "0c2a69000001",
            "imp_type": imp_type,
            "software_version": "43.1.0",
            "agent_url_base": "http://127.0.0.1:9999/agents",
            "wake_reason": wake,
        }
        return self.lines(self.event("boot", {"role": "device", "facts": facts, "code": code, **extra}))

    @staticmethod
    def lines(outputs: list) -> list[str]:
        return [data[1] if kind == "log" else f"{kind.upper()}: {data}" for _, kind, data in outputs if kind != "flash"]


@pytest.fixture
def device() -> Device:
    return Device()


def test_spiflash_sectors_erase_to_ff_and_writes_only_clear_bits(device):
    code = """
    local f = hardware.spiflash;
    f.enable();
    f.erasesector(0x1000);
    local b = blob(2); b.writen(0x0F, 'b'); b.writen(0xF0, 'b');
    f.write(0x1000, b);
    local c = blob(2); c.writen(0xF3, 'b'); c.writen(0xFF, 'b');
    server.log(f.write(0x1000, c, SPIFLASH_POSTVERIFY));
    local r = f.read(0x1000, 3);
    server.log(format("%02x %02x %02x", r[0], r[1], r[2]));
    f.erasesector(0x1000);
    r = f.read(0x1000, 2);
    server.log(format("%02x %02x", r[0], r[1]));
    """
    # 0x0F AND 0xF3 = 0x03; POSTVERIFY fails (1) because the flash does not hold 0xF3 0xFF
    assert device.boot(code) == ["1", "03 f0 ff", "ff ff"]


def test_spiflash_refuses_what_the_reference_refuses(device):
    code = """
    local f = hardware.spiflash;
    foreach (call in [@() f.read(0, 1), @() f.erasesector(0x1001), @() f.read(f.size() - 1, 2),
                      @() f.write(-1, "x"), @() f.erasesector(f.size())]) {
        try { call(); server.log("accepted"); } catch (e) { server.log(e); }
        f.enable();
    }
    """
    assert device.boot(code) == [
        "spiflash.read: the SPI flash is not enabled",
        "spiflash.erasesector: 0x1001 is not on a 4 KB sector boundary",
        "spiflash.read: the range 0x7fffff+2 is outside the flash (8388608 bytes)",
        "spiflash.write: the range -0x1+1 is outside the flash (8388608 bytes)",
        "spiflash.erasesector: the range 0x800000+4096 is outside the flash (8388608 bytes)",
    ]


@pytest.mark.parametrize("imp_type", sorted(FLASH_BYTES))
def test_spiflash_size_and_chip_id_per_imp_type(device, imp_type):
    code = 'hardware.spiflash.enable(); server.log(hardware.spiflash.size() + " " + hardware.spiflash.chipid());'
    assert device.boot(code, imp_type) == [f"{FLASH_BYTES[imp_type]} {FLASH_CHIP_ID}"]


def test_an_imp_without_a_spiflash_has_none(device):
    assert device.boot('server.log("spiflash" in hardware);', "imp001") == ["false"]


def test_the_flash_logger_replays_its_records_across_warm_restarts_until_erased(device):
    code = (
        LOGGER
        + """
    log <- FlashLogger(0x2000, 2);
    if (hardware.wakereason() == WAKEREASON_POWER_ON) log.erase();
    log.replay(@(r) server.log("replay " + r));
    log.write("boot " + (log.used() / 8 + 1) + " " + hardware.wakereason());
    """
    )
    assert device.boot(code, wake=WAKEREASON_POWER_ON) == []
    assert device.boot(code, wake=WAKEREASON_SW_RESTART) == ["replay boot 1 0"]
    assert device.boot(code, wake=WAKEREASON_SW_RESTART) == ["replay boot 1 0", "replay boot 2 10"]
    assert device.boot(code, wake=WAKEREASON_POWER_ON) == []  # erased, as the code asks on a power-on


def test_the_flash_logger_fills_across_a_sector_boundary(device):
    code = (
        LOGGER
        + """
    log <- FlashLogger(0, 2);
    log.erase();
    local record = ""; for (local i = 0; i < 1000; i++) record += "x";
    local n = 0;
    try { while (true) { log.write(record); n++; } } catch (e) { server.log(n + " " + e); }
    local count = 0; log.replay(@(r) count += r.len());
    server.log(count);
    """
    )
    # 8192 bytes hold 8 records of 2 + 1000 bytes (8016); the 9th does not fit
    assert device.boot(code) == ["8 FlashLogger: the log is full", "8000"]


def test_pins_remember_their_configuration_and_values(device):
    code = """
    local a = hardware.pinA, b = hardware.pinB, c = hardware.pinC, d = hardware.pinD;
    try { a.read(); } catch (e) { server.log(e); }
    a.configure(DIGITAL_OUT, 1);
    server.log("out " + a.read());
    a.write(0);
    server.log("out " + a.read());
    b.configure(DIGITAL_IN_PULLUP);
    c.configure(DIGITAL_IN_PULLDOWN);
    d.configure(PWM_OUT, 0.001, 0.25);
    server.log("in " + b.read() + " " + c.read() + " pwm " + d.read());
    try { b.write(1); } catch (e) { server.log(e); }
    try { a.configure(12345); } catch (e) { server.log(e); }
    """
    assert device.boot(code) == [
        "pin.read: pinA is not configured",
        "out 1",
        "out 0",
        "in 1 0 pwm 0.25",
        "pin.write: pinB is not configured as an output",
        "pin.configure: unknown mode 12345",
    ]


def test_inputs_set_from_outside_are_read_and_call_the_pins_callback(device):
    code = """
    hardware.pinE.configure(DIGITAL_IN, function() { server.log("pinE now " + hardware.pinE.read()); });
    hardware.pinF.configure(ANALOG_IN);
    server.log(hardware.pinE.read() + " " + hardware.pinF.read());
    """
    assert device.boot(code, pins={"pinF": 1234}) == ["0 1234"]
    assert device.lines(device.event("pins", {"pinE": 1})) == ["pinE now 1"]
    assert device.lines(device.event("pins", {"pinE": 1})) == []  # no change, no callback
    assert device.lines(device.event("pins", {"pinE": 0})) == ["pinE now 0"]


def test_pin_names_follow_the_imp_type(device):
    code = 'server.log(("pin1" in hardware) + " " + ("pinA" in hardware));'
    assert device.boot(code, "imp001") == ["true false"]
    assert device.boot(code, "imp006") == ["false true"]


def test_i2c_with_nothing_attached_fails_with_the_references_codes(device):
    code = """
    local i2c = hardware.i2c89;
    server.log(i2c.read(0x52, "\\x00", 2) + " " + i2c.readerror() + " " + i2c.write(0x52, "\\x00\\x01"));
    i2c.configure(CLOCK_SPEED_400_KHZ);
    server.log(i2c.read(0x52, "\\x00", 2) + " " + i2c.readerror() + " " + i2c.write(0x52, "\\x00\\x01"));
    i2c.disable();
    server.log(i2c.write(0x52, "\\x00"));
    """
    assert device.boot(code) == ["null -13 -13", "null -9 -9", "-13"]


def test_spi_needs_configure_and_reads_an_undriven_line(device):
    code = """
    local spi = hardware.spi189;
    try { spi.write("ab"); } catch (e) { server.log(e); }
    server.log(spi.configure(CLOCK_IDLE_LOW | MSB_FIRST, 1000));
    local r = spi.writeread("\\x01\\x02");
    server.log(r.len() + " " + (r[0] & 0xFF) + " " + spi.readblob(3)[2]);
    """
    assert device.boot(code) == ["spi.write: the bus is not configured", "1000", "2 255 255"]


def test_hardware_getters(device):
    code = """
    server.log(hardware.getdeviceid() + " " + hardware.wakereason() + " " + hardware.voltage());
    local m = hardware.millis(); imp.sleep(0.25);
    server.log((hardware.millis() - m) + " " + (hardware.micros() >= 250000));
    """
    assert device.boot(code, wake=WAKEREASON_TIMER) == ["dev1 1 3.3", "250 true"]


def test_nv_is_kept_through_warm_boots_and_cleared_by_power_on_and_new_code(device):
    code = """
    if (!("nv" in getroottable())) nv <- {count = 0};
    nv.count++;
    server.log(nv.count);
    """
    assert device.boot(code, wake=WAKEREASON_POWER_ON) == ["1"]
    assert device.boot(code, wake=WAKEREASON_SW_RESTART) == ["2"]
    assert device.boot(code, wake=WAKEREASON_TIMER) == ["3"]
    assert device.boot(code, wake=WAKEREASON_NEW_SQUIRREL) == ["1"]
    assert device.boot(code, wake=WAKEREASON_SW_RESTART) == ["2"]
    assert device.boot(code, wake=WAKEREASON_POWER_ON) == ["1"]


def test_deep_sleep_stops_the_code_and_keeps_nv(device):
    code = """
    nv <- {stamp = "kept"};
    server.log("sleeping");
    imp.deepsleepfor(60);
    server.log("never");
    """
    assert device.boot(code) == ["sleeping", "DEEPSLEEP: (60.0, [])"]
    assert device.lines(device.event("fire", 1)) == []  # asleep: nothing runs until the host boots it
    assert device.boot('server.log(nv.stamp + " " + hardware.wakereason());', wake=WAKEREASON_TIMER) == ["kept 1"]


def test_deep_sleep_times_are_checked(device):
    code = """
    foreach (t in [-1, 2419199]) try { imp.deepsleepfor(t); } catch (e) { server.log(e); }
    """
    assert device.boot(code) == [
        "imp.deepsleepfor: the time must be 0-2419198 seconds",
        "imp.deepsleepfor: the time must be 0-2419198 seconds",
    ]


# -- through the host: the device goes offline, wakes on the runtime clock ------------------------------
def test_deep_sleep_takes_the_device_offline_and_it_wakes_with_the_timer_reason(run):
    device = """
    if (!("nv" in getroottable())) nv <- {boots = 0};
    nv.boots++;
    server.log("boot " + nv.boots + " reason " + hardware.wakereason());
    if (nv.boots < 3) imp.onidle(@() imp.deepsleepfor(30));
    """
    agent = """
    device.ondisconnect(@() server.log("device offline"));
    device.onconnect(@() server.log("device online"));
    """

    async def scenario(h):
        await h.start(device, agent)
        await h.advance(29)
        before = list(h.events.lines)
        await h.advance(2)
        await h.advance(31)
        return before, h.events.lines, h.events.connections

    before, lines, connections = run(scenario)
    assert [m for _, t, m in before if t == "server.log"] == ["boot 1 reason 0"]
    assert [m for _, t, m in lines if t == "server.log"] == ["boot 1 reason 0", "boot 2 reason 1", "boot 3 reason 1"]
    assert [m for _, t, m in lines if t == "agent.log"] == [
        "device online",
        "device offline",
        "device online",
        "device offline",
        "device online",
    ]
    assert connections == [("dev1", False), ("dev1", True), ("dev1", False), ("dev1", True)]


def test_onidle_runs_once_after_the_pending_messages(run):
    device = """
    agent.on("m", @(v) server.log("message " + v));
    imp.onidle(@() server.log("idle"));
    server.log("boot done");
    """
    agent = 'device.send("m", 1); device.send("m", 2);'

    async def scenario(h):
        h.host.start(h.facts(), "", agent)
        await h.host.idle()
        h.host.start(h.facts(), device, agent, restart_agent=False)
        await h.host.idle()
        await h.advance(5)
        return h.events.messages("server.log")

    lines = run(scenario)
    assert lines[0] == "boot done"
    assert lines.count("idle") == 1


def test_admin_set_inputs_reach_the_running_device_and_its_next_boot(run):
    device = """
    hardware.pinC.configure(DIGITAL_IN_PULLDOWN, @() server.log("changed to " + hardware.pinC.read()));
    server.log("boot reads " + hardware.pinC.read());
    """

    async def scenario(h):
        await h.start(device)
        h.host.set_pins("dev1", {"pinC": 1})
        await h.host.idle()
        h.host.start(dataclasses.replace(h.facts(), wake_reason=WAKEREASON_SW_RESTART), device, "")
        await h.host.idle()
        return h.events.messages("server.log"), h.host.pins("dev1")

    lines, pins = run(scenario)
    assert lines == ["boot reads 0", "changed to 1", "boot reads 1"]
    assert pins == {"pinC": 1}


def test_the_host_mirrors_the_flash_so_a_new_worker_gets_it(run):
    code = (
        LOGGER
        + """
    log <- FlashLogger(0, 1);
    if (hardware.wakereason() == WAKEREASON_POWER_ON) { log.erase(); log.write("first"); }
    log.replay(@(r) server.log(r));
    """
    )

    async def scenario(h):
        await h.start(code)
        mirrored = h.host.flash("dev1").read(0, 7)
        for w in list(h.host._all_workers()):  # every worker goes: the flash must come from the host
            h.host._forget(h.host._accounts[w.account], w)
            h.host._retire(w)
        h.host.start(dataclasses.replace(h.facts(), wake_reason=WAKEREASON_SW_RESTART), code, "")
        await h.host.idle()
        return mirrored, h.events.messages("server.log")

    mirrored, lines = run(scenario)
    assert mirrored == b"\x05\x00first"
    assert lines == ["first", "first"]


def test_an_nv_table_too_large_to_keep_is_dropped_with_a_status_line(device):
    code = 'nv <- {big = ""}; for (local i = 0; i < 5000; i++) nv.big += "x"; server.log(nv.big.len());'
    assert device.boot(code) == ["5000"]
    notices = device.lines(device.event("stop", None))
    assert notices == ["NOTICE: nv not kept: nv: the value is larger than 4096 bytes"]
    assert device.boot('server.log("nv" in getroottable());', wake=WAKEREASON_SW_RESTART) == ["false"]


def test_deepsleepuntil_wakes_at_the_next_utc_time_of_day(device):
    # 1_767_225_600 is 2026-01-01 00:00:00 UTC, a Thursday (wday 4)
    device.now = 1_767_225_600.0 + 10 * 3600  # 10:00
    assert device.boot("imp.deepsleepuntil(11, 30);") == ["DEEPSLEEP: (5400.0, [])"]
    assert device.boot("imp.deepsleepuntil(9, 0);") == ["DEEPSLEEP: (82800.0, [])"]  # tomorrow 09:00
    assert device.boot("server.sleepuntil(10, 0, 0, 5);") == ["DEEPSLEEP: (86400.0, [])"]  # Friday 10:00


def test_reset_wipes_the_flash_of_every_device(run):
    code = """
    local f = hardware.spiflash; f.enable();
    server.log(f.read(0, 1)[0]);
    local b = blob(1); b.writen(0x11, 'b'); f.write(0, b);
    """

    async def scenario(h):
        await h.start(code)
        h.host.start(dataclasses.replace(h.facts(), wake_reason=WAKEREASON_SW_RESTART), code, "")
        await h.host.idle()
        h.host.stop_all()
        await h.start(code)
        return h.events.messages("server.log")

    assert run(scenario) == ["255", "17", "255"]


def test_a_wake_pin_driven_high_wakes_a_sleeping_device_with_the_pin_reason(run):
    device = """
    server.log("boot reason " + hardware.wakereason());
    hardware.pinW.configure(DIGITAL_IN_WAKEUP);
    if (hardware.wakereason() != WAKEREASON_PIN) imp.onidle(@() imp.deepsleepfor(3600));
    """

    async def scenario(h):
        await h.start(device)
        await h.advance(1)
        h.host.set_pins("dev1", {"pinW": 0})  # low: still asleep
        await h.host.idle()
        asleep = list(h.events.messages("server.log"))
        h.host.set_pins("dev1", {"pinW": 1})
        await h.host.idle()
        await h.advance(3600)  # the timer of the sleep that the pin ended does not fire
        return asleep, h.events.messages("server.log"), h.events.connections

    asleep, lines, connections = run(scenario)
    assert asleep == ["boot reason 0"]
    assert lines == ["boot reason 0", "boot reason 3"]
    assert connections == [("dev1", False), ("dev1", True)]


def test_written_flash_an_account_holds_is_bounded():
    device = Device()
    device.worker = Worker(Limits(cpu_seconds=5.0, memory_bytes=64 * 1024 * 1024, flash_held_bytes=3 * 4096))
    code = """
    local f = hardware.spiflash; f.enable();
    for (local s = 0; s < 4; s++) {
        try { f.write(s * 4096, "x"); server.log("sector " + s); } catch (e) { server.log(e); }
    }
    f.write(0, "y");  // a sector it holds already
    f.erasesector(4096);
    f.write(3 * 4096, "z");  // room again after an erase
    server.log("done");
    """
    assert device.boot(code) == [
        "sector 0",
        "sector 1",
        "sector 2",
        "spiflash.write: the emulator holds at most 0.0117188 MiB of written flash per account",
        "done",
    ]
