"""A scripted `impt` session under faults (20 % 429/503, 5 % resets): every command succeeds or fails with one
clear `Error:` line (no traceback); running the whole script again (faults off) ends in the same final state as
the script run twice on a healthy emulator.
"""

from __future__ import annotations

from relsuite import Impt, assert_clear_outcome, state_by_name

FAULTS = {"status_rates": {"429": 0.1, "503": 0.1}, "reset_rate": 0.05, "latency_ms": 0, "seed": 3}
SCRIPT = [
    ["product", "create", "-n", "Script"],
    ["dg", "create", "-n", "Keep", "-p", "Script"],
    ["dg", "create", "-n", "Scratch", "-p", "Script"],
    ["build", "deploy", "-g", "Scratch", "-x", "d.nut", "-t", "v1"],
    [
        "webhook",
        "create",
        "-g",
        "Scratch",
        "--url",
        "http://127.0.0.1:9/hook",
        "--event",
        "deployment",
        "--mime",
        "json",
    ],
    ["device", "assign", "-d", "sensor-1", "-g", "Keep"],
    ["device", "assign", "-d", "sensor-2", "-g", "Scratch"],
    ["dg", "info", "--dg", "Scratch"],
    ["product", "info", "-p", "Script", "--full"],
    ["device", "list"],
    ["device", "unassign", "-d", "sensor-2"],
    ["dg", "delete", "--dg", "Scratch", "-f", "-q"],
    ["product", "create", "-n", "Gone"],
    ["product", "delete", "-p", "Gone", "-f", "-b", "-q"],
    ["dg", "update", "--dg", "Keep", "-s", "kept"],
]


def _impt(emulator, tmp_path, name: str) -> Impt:
    work, home = tmp_path / name, tmp_path / f"{name}-home"
    work.mkdir()
    home.mkdir()
    (work / "d.nut").write_text('server.log("script");\n', encoding="utf-8")
    impt = Impt(work, home, emulator.base_url)
    impt.login("demo", "demo-password", "--local")
    return impt


def _script(impt: Impt) -> list[int]:
    codes = []
    for argv in SCRIPT:
        result = impt(*argv)
        assert_clear_outcome(result, argv)
        codes.append(result.code)
    return codes


def test_script_under_faults_then_retry(emulator, tmp_path):
    reference = _impt(emulator, tmp_path, "reference")
    assert _script(reference) == [0] * len(SCRIPT)
    _script(reference)
    expected = state_by_name(emulator.base_url)
    assert expected["devicegroups"]["Script/Keep"] == 1
    assert "Script/Scratch" not in expected["devicegroups"]
    assert expected["devices"]["sensor-1"] == "Script/Keep"

    emulator.reset()
    faulty = _impt(emulator, tmp_path, "faulty")
    emulator.admin("PUT", "faults", FAULTS)
    codes = _script(faulty)
    faults = [e for e in emulator.requests() if e["status"] in (429, 499, 503)]
    emulator.admin("DELETE", "faults")
    assert faults, "the emulator injected no fault"
    print(f"under faults: {codes.count(0)} of {len(codes)} commands succeeded; {len(faults)} faults injected")
    _script(faulty)
    assert state_by_name(emulator.base_url) == expected
