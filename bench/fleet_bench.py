"""Fleet benchmark: requests and seconds to verify a log line on 1,000 devices by history, and a four-wave
release of 1,000 devices, against a local emulator with impCentral's rate limit (40 requests/s).

Target for the verification: <= 1,100 requests, within the rate limit (no 429 answer), at the follower's
default share of half the limit. Prints; never asserts.

Run: .venv/bin/python bench/fleet_bench.py [devices]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from ansible_collections.electricimp.impcentral.plugins.module_utils.api.client import ImpCentralClient  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows import identify  # noqa: E402
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.follow import (  # noqa: E402
    END,
    TIMEOUT,
    LogFollower,
    LogLine,
)
from ansible_collections.electricimp.impcentral.plugins.module_utils.workflows.rollout import (  # noqa: E402
    RolloutSettings,
    run_rollout,
)
from emulator_process import running_emulator  # noqa: E402
from seeds.fleet import write  # noqa: E402
from seeds.release import release  # noqa: E402

DEVICES = 1_000
VERIFY_TARGET = 1_100
NEW = 'server.log("firmware 2.1 ready");'


def seed(devices: int) -> dict:
    """The release seed of the tests (tests/seeds/release.py) with a previous build that logs one line."""
    return release(devices, new=NEW, old='server.log("firmware 2.0 ready");')


def api_calls(root: str) -> list:
    answer = requests.get(f"{root}/_emulator/requests", timeout=60).json()["data"]
    return [e for e in answer if e["path"].startswith("/v5")]


def clear(root: str) -> None:
    requests.delete(f"{root}/_emulator/requests", timeout=60)


def verify_by_history(emu, client: ImpCentralClient, devices: int) -> tuple:
    """Restart the group (each device logs the ready line), then wait until every device's line was read."""
    prod = identify.one(client, "device_group", "prod")["id"]
    ids = [d["id"] for d in client.devices.list(device_group=prod)]
    since = datetime.now(timezone.utc)
    client.device_groups.restart(prod)
    time.sleep(2)  # the emulator logs shortly after the restart is answered
    clear(emu.root_url)
    started = time.perf_counter()
    waiting = set(ids)
    with LogFollower(client, ids, since=since, deadline=600) as follower:
        while waiting:
            item = follower.next()
            if item is END or item is TIMEOUT:
                break
            if isinstance(item, LogLine) and "firmware 2.0 ready" in item.msg:
                waiting.discard(item.device_id)
    seconds = time.perf_counter() - started
    calls = api_calls(emu.root_url)
    limited = len([e for e in calls if e.get("status") == 429])
    return len(calls), seconds, limited, len(ids) - len(waiting)


def four_waves(emu, client: ImpCentralClient) -> tuple:
    clear(emu.root_url)
    settings = RolloutSettings(
        target="prod",
        canary="canary",
        waves=[1, "10%", "50%", "100%"],
        search_regex=r"firmware 2\.1 ready",
        timeout=300,
        restart="conditional",
        history_rate=20,
    )
    started = time.perf_counter()
    result = run_rollout(client, settings)
    seconds = time.perf_counter() - started
    calls = api_calls(emu.root_url)
    return len(calls), seconds, len([e for e in calls if e.get("status") == 429]), result


def bench(row=None, devices: int = DEVICES) -> None:
    """Measure and print (or hand each figure to ``row(figure, value, target, impt26, met)``)."""
    report = row or (
        lambda figure, value, target="-", impt26="-", met=None: print(f"{figure}: {value} (target {target})")
    )
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "seed.json"
        write(path, seed(devices))
        with running_emulator("--seed", str(path)) as emu:
            client = ImpCentralClient(emu.base_url)
            client.login("demo", "demo-password")
            count, seconds, limited, found = verify_by_history(emu, client, devices)
            report(
                f"verify a log line on {devices} devices by history",
                f"{count} requests, {seconds:.1f} s, {limited} answered 429, {found}/{devices} found",
                f"<= {VERIFY_TARGET} requests, no 429",
                "-",
                count <= VERIFY_TARGET and limited == 0 and found == devices,
            )
            count, seconds, limited, result = four_waves(emu, client)
            waves = "/".join(str(len(w["devices"])) for w in result["waves"])
            report(
                f"four-wave release of {devices} devices",
                f"{count} requests, {seconds:.1f} s, {limited} answered 429, waves {waves}, "
                f"{'failed' if result.get('failed') else 'done'}",
                "-",
                "-",
                None if not result.get("failed") else False,
            )


if __name__ == "__main__":
    bench(devices=int(sys.argv[1]) if len(sys.argv) > 1 else DEVICES)
