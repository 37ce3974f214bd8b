"""Evidence windows (module_utils/rollout_evidence.py): a device is judged only on the lines after its latest boot
into a new build, never on lines an older build logged; without such a boot it is unverified.

The status lines are impCentral's (spec §9: ``Downloading new code; N% program storage used``, ``Device
connected``); the code lines are what the builds of tests/integration log."""

from datetime import datetime, timezone

from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout_evidence import (
    Evidence,
    evidence_lines,
    is_boot_line,
    pending,
)

DEPLOYED = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)  # the canary build's created_at
BOOT = "Downloading new code; 3.41% program storage used"


def line(device, second, msg, kind="server.log"):
    return {"device_id": device, "ts": f"2026-11-23T10:00:{second:02d}.000Z", "type": kind, "msg": msg}


def evidence(devices="abcd", **options):
    options.setdefault("search_regex", r"firmware .* ready")
    options.setdefault("fail_regex", "ERROR")
    return Evidence({d: DEPLOYED for d in devices}, **options)


def feed(found, *lines):
    for item in lines:
        found.add(item)
    return found


def test_lines_an_older_build_logged_before_the_boot_are_never_evidence():
    found = feed(
        evidence(),
        line("a", 1, "ERROR: sensor calibration drift"),  # the previous build, after the deployment was made
        line("a", 2, "firmware 2.0 ready"),
        line("a", 3, "Device connected", "status"),
        line("a", 3, BOOT, "status"),
        line("a", 4, "firmware 2.1 ready"),
    )
    verdict = found.verdict("a")
    assert verdict.ok and verdict.state == "passed" and verdict.evidence == "logged: firmware 2.1 ready"
    assert verdict.window_start == "2026-11-23T10:00:03.000Z"
    assert verdict.line == {"ts": "2026-11-23T10:00:04.000Z", "type": "server.log", "msg": "firmware 2.1 ready"}


def test_a_device_never_seen_running_the_build_is_unverified_however_its_old_lines_match():
    found = feed(evidence(), line("b", 1, "firmware 2.0 ready"), line("b", 2, "ERROR: old crash"))
    assert found.verdict("b") is None  # still waited for
    verdict = found.verdict("b", final=True, online=True)
    assert not verdict.ok and verdict.state == "unverified" and verdict.window_start is None
    assert verdict.evidence.startswith("unverified: not seen running the build (no 'Downloading new code'")


def test_a_boot_before_the_window_may_start_does_not_count():
    early = {"device_id": "c", "ts": "2026-11-23T09:59:59.000Z", "type": "status", "msg": BOOT}
    found = feed(evidence(), early, line("c", 1, "firmware 2.1 ready"))
    assert found.verdict("c", final=True, online=True).state == "unverified"


def test_the_latest_boot_starts_the_window_a_crash_and_reconnect_do_not():
    found = feed(
        evidence(),
        line("a", 1, BOOT, "status"),  # the new build, a first time
        line("a", 2, "ERROR: first attempt"),
        line("a", 3, BOOT, "status"),  # rolled back to the old build
        line("a", 4, "ERROR: old build"),
        line("a", 5, BOOT, "status"),  # moved to the canary group again
        line("a", 6, "firmware 2.1 ready"),
        line("b", 1, BOOT, "status"),
        line("b", 2, "ERROR: the index 'calibration' does not exist", "server.error"),
        line("b", 2, "Device disconnected", "status"),
        line("b", 4, "Device connected", "status"),
        line("b", 5, "firmware 2.1 ready"),
    )
    assert found.verdict("a").ok
    crashed = found.verdict("b")
    assert (
        crashed.state == "failed"
        and crashed.evidence == "logged /ERROR/: ERROR: the index 'calibration' does not exist"
    )


def test_only_the_services_status_line_opens_a_window():
    assert is_boot_line({"type": "status", "msg": BOOT})
    assert not is_boot_line({"type": "server.log", "msg": BOOT})  # code printing the same words
    found = feed(evidence(), line("a", 1, BOOT), line("a", 2, "firmware 2.1 ready"))
    assert found.verdict("a", final=True).state == "unverified"


def test_offline_devices():
    found = feed(
        evidence(resumed={"c"}),
        line("a", 1, BOOT, "status"),
        line("a", 2, "ERROR: crash on boot"),
        line("c", 1, BOOT, "status"),
        line("c", 2, "ERROR: logged while in the target group"),
    )
    online = {"a": False, "b": False, "c": False}
    got = {v.device_id: v for v in found.verdicts("abc", online=online, final=True)}
    assert got["a"].state == "failed"  # moved by this run: its new build's error stays the evidence
    assert got["b"].state == "offline" and "not seen running the build" in got["b"].evidence
    # moved by an earlier run and offline: not booted since its move, its lines are not read
    assert got["c"].state == "offline" and got["c"].evidence.startswith("offline: it has not booted since")


def test_with_fail_regex_only_a_device_passes_when_the_wait_ends_without_a_failure():
    found = feed(evidence(search_regex=None), line("a", 1, BOOT, "status"), line("a", 2, "all good"))
    assert found.verdict("a") is None
    assert found.verdict("a", final=True, online=True).evidence.startswith("online, running the build since")
    assert found.verdict("b", final=True, online=True).state == "unverified"


def test_names_show_beside_ids_and_pending_lists_the_undecided():
    found = feed(evidence(names={"a": "unit-00"}), line("a", 1, BOOT, "status"), line("a", 2, "ERROR: x"))
    decided = found.verdicts("ab")
    assert pending("ab", decided) == ["b"]
    assert evidence_lines(decided) == ["unit-00 (a): FAILED logged /ERROR/: ERROR: x"]
    assert decided[0].as_dict()["name"] == "unit-00"
