"""The README's imp API table and the VMs' root tables agree, both ways, on each side.

Source of the expected names: the table "The imp API, name by name" in impcentral_emulator/README.md.
"""

from __future__ import annotations

import gc
import mmap
import re
from pathlib import Path

import pytest

from impcentral_emulator.runtime.limits import Limits
from impcentral_emulator.runtime.worker import PROGRESS, Worker

README = Path(__file__).resolve().parents[3] / "impcentral_emulator" / "README.md"
SECTION = "## The imp API, name by name"
STATUSES = {"implemented", "simulated", "absent"}
FACTS = {
    "device_id": "dev1",
    "agent_id": "agent1",
    "mac": "0c2a69000001",
    "imp_type": "imp005",
    "software_version": "43.1.0",
    "agent_url_base": "http://127.0.0.1:9999/agents",
    "wake_reason": 0,
}
# Every root name, and every member of a root table or class except metamethods and `constructor`.
WALK = """
foreach (name, value in getroottable()) {
    server.log(name);
    local kind = typeof value;
    if (kind == "table" || kind == "class") {
        foreach (member, _ in value) {
            if (member != "constructor" && member[0] != '_') server.log(name + "." + member);
        }
    }
}
"""


def table_rows() -> list[tuple[list[str], str, str]]:
    """(names, side, status) of every row of the README's section."""
    text = README.read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        names = re.findall(r"`([^`]+)`", cells[0])
        rows.append((names, cells[1], cells[2].split()[0]))
    return rows


def documented(role: str) -> tuple[set[str], set[str]]:
    """The names the table says `role` has (implemented or simulated) and those it says are absent."""
    present, absent = set(), set()
    for names, side, status in table_rows():
        if side not in (role, "both"):
            continue
        (absent if status == "absent" else present).update(names)
    return present, absent


def reachable(role: str) -> set[str]:
    worker = Worker(Limits(cpu_seconds=5.0, memory_bytes=64 * 1024 * 1024))
    progress = mmap.mmap(-1, PROGRESS.size)
    vm_id = ("d:" if role == "device" else "a:") + "dev1"
    outputs = worker.run_batch([(1, vm_id, "boot", {"role": role, "facts": FACTS, "code": WALK}, 1.7e9)], progress)
    for vm in worker.vms.values():  # freed here: the binding prints a line when a VM goes (see test_compiler)
        vm.close()
    worker.vms.clear()
    gc.collect()
    assert all(kind == "log" for _, kind, _ in outputs), outputs
    return {data[1] for _, _, data in outputs}


def test_every_row_is_well_formed():
    rows = table_rows()
    assert len(rows) > 40
    for names, side, status in rows:
        assert names, rows
        assert side in ("device", "agent", "both"), (names, side)
        assert status in STATUSES, (names, status)
    seen = [(name, side) for names, side, _ in rows for name in names]
    assert len(seen) == len(set(seen)), "a name is listed twice for the same side"


@pytest.mark.parametrize("role", ["device", "agent"])
def test_the_table_and_the_root_table_agree(role):
    present, absent = documented(role)
    names = reachable(role)
    assert names - present == set(), f"in the {role}'s root table but not in the README's table"
    assert present - names == set(), f"in the README's table for the {role} but not in its root table"
    assert names & absent == set(), f"marked absent but present on the {role}"
