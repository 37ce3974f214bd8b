"""The demo (playbooks/demo.yml) run by ansible-runner, the engine AWX and Automation Platform run jobs with.

A job's events are what those systems show: one task start and one result per task as the play goes, and the
lines the release_rollout action prints through Display while it works (the plan, then each wave's move,
verification and decision), as "verbose" events that come before the task's own result. The release goes
through waves here (release_promotion_canary.waves) so that the rollout shows them.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import ansible_runner

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
ROLLOUT_TASK = "Waves | move, restart and verify the target group's devices wave by wave"
# The demo's canary settings (playbooks/vars/connected_meter_400.yml) with waves: one canary, half, the rest.
CANARY = {"enabled": True, "device_group": "400 2.0 Field Test Production", "waves": [1, "50%"], "pause": 0}


def test_ansible_runner_runs_the_demo_with_per_task_and_per_wave_progress(emulator, tmp_path):
    (tmp_path / "job").mkdir()
    runner = ansible_runner.run(
        private_data_dir=str(tmp_path / "job"),
        project_dir=str(ROOT / "playbooks"),
        playbook="demo.yml",
        inventory="localhost ansible_connection=local",
        # As the roles guide says: the interpreter is named, not discovered.
        extravars={
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "release_promotion_canary": CANARY,
        },
        envvars={
            # ansible-runner starts the ansible-playbook it finds on PATH: this venv's.
            "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")]),
            "IMPT_ENDPOINT": emulator.base_url,
            "IMPT_USER": "demo",  # the emulator's demo seed account
            "IMPT_PASSWORD": "demo-password",
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "NO_PROXY": "127.0.0.1,localhost",
        },
        quiet=True,
        timeout=300,
    )
    events = list(runner.events)
    stdout = "\n".join(event.get("stdout", "") for event in events)
    assert (runner.status, runner.rc) == ("successful", 0), stdout[-6000:]

    # Per task: every task that ran has a start event and then its result, in the play's order.
    starts = [e for e in events if e["event"] == "playbook_on_task_start"]
    results = [e for e in events if e["event"] in ("runner_on_ok", "runner_on_skipped")]
    assert len(starts) >= 30, [e["event_data"]["task"] for e in starts]
    assert not [e for e in events if e["event"] == "runner_on_failed" and not e["event_data"].get("ignore_errors")]
    started = {e["event_data"]["task_uuid"]: e["counter"] for e in starts}
    for result in results:
        assert started[result["event_data"]["task_uuid"]] < result["counter"]
    names = [e["event_data"]["task"] for e in starts]
    rollout = names.index(ROLLOUT_TASK)
    # release_promotion's stages in order: the plan, the waves, the promotion after them, the summary.
    assert next(i for i, name in enumerate(names) if name.startswith("Plan |")) < rollout
    assert any(name.startswith("Promote |") for name in names[rollout:]) and names[-1] == "Summary | the release"
    stats = next(e for e in events if e["event"] == "playbook_on_stats")["event_data"]
    assert (stats["failures"], stats["dark"]) == ({}, {}) and stats["changed"]["localhost"] > 0

    # Per wave: the rollout's Display lines arrive as "verbose" events while its task runs, before its result.
    rollout_start = next(e["counter"] for e in starts if e["event_data"]["task"] == ROLLOUT_TASK)
    rollout_done = next(e["counter"] for e in results if e["event_data"]["task"] == ROLLOUT_TASK)
    during = [e for e in events if rollout_start < e["counter"] < rollout_done and e.get("stdout")]
    assert {e["event"] for e in during} == {"verbose"}
    text = "\n".join(e["stdout"] for e in during)
    assert re.search(r"^Rollout of build \w+ \(deployment [\w-]+\) from .+ to .+", text, re.M), text
    # The plan, then each wave as planned: waves [1, "50%"] and the devices left form a third wave
    # (release_rollout's documentation), the first wave one canary.
    planned = re.findall(r"^Wave (\d+): move (\d+) device\(s\)", text, re.M)
    moved = re.findall(r"^Wave (\d+) of 3: moving (\d+) device\(s\)", text, re.M)
    assert len(planned) == 3 and planned[0] == ("1", "1") and moved == planned, text
    for number, count in moved:
        assert f"\nWave {number} of 3: {count} passed, 0 failed, 0 unverified, 0 offline\n" in text, text
        assert re.search(rf"^Wave {number} of 3: continue", text, re.M), text
