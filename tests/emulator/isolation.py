"""Two accounts on one emulator: a victim that beats, and the watch kept on it while another account attacks.

Used by `test_isolation.py` (every attack of issue 22, with loose liveness bounds) and by
`bench/isolation_bench.py` (the same attacks, reporting the 100 ms targets). The victim's device logs
`beat N` every `PERIOD` seconds and its agent answers its URL with a secret; while an attack runs, a
`Watch` polls the victim's API and agent URL and samples the emulator's memory, and afterwards reads
the victim's beats back with their arrival times.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from emulator_api import Api
from emulator_process import EmulatorHandle

PERIOD = 0.2
SECRET = "victim-secret-5d41402abc4b2a76"
VICTIM_DEVICE = """
local n = 0;
function beat() { n++; server.log("beat " + n); imp.wakeup(%PERIOD%, beat); }
beat();
""".replace("%PERIOD%", str(PERIOD))
VICTIM_AGENT = """
local secret = "%SECRET%";
server.save({ secret = secret });
http.onrequest(function(request, response) { response.send(200, "ok " + secret.len()); });
""".replace("%SECRET%", SECRET)


@dataclass
class Figures:
    """What the victim and the emulator went through during one attack."""

    beats: int = 0
    worst_gap_ms: float = 0.0  # the longest time between two beats, minus the period: how late a beat was
    restarted: list[str] = field(default_factory=list)  # victim lines that say its code started again
    api_ms: list[float] = field(default_factory=list)
    agent_ms: list[float] = field(default_factory=list)
    agent_statuses: set[int] = field(default_factory=set)
    rss_mib: list[float] = field(default_factory=list)

    @property
    def api_worst_ms(self) -> float:
        return max(self.api_ms, default=0.0)

    @property
    def agent_worst_ms(self) -> float:
        return max(self.agent_ms, default=0.0)

    @property
    def rss_peak_mib(self) -> float:
        return max(self.rss_mib, default=0.0)

    def line(self, attack: str) -> str:
        return (
            f"{attack}: {self.beats} beats, latest beat {self.worst_gap_ms:.0f} ms late; API worst "
            f"{self.api_worst_ms:.0f} ms ({len(self.api_ms)} requests); agent URL worst {self.agent_worst_ms:.0f} ms "
            f"{sorted(self.agent_statuses)}; emulator RSS peak {self.rss_peak_mib:.0f} MiB"
        )


class Shared:
    """One emulator, the victim (account `demo`) running, and the attacker's account (`collab`)."""

    def __init__(self, handle: EmulatorHandle) -> None:
        self.emu = handle
        self.victim = Api(handle.base_url, handle.token())
        self.attacker = Api(handle.base_url, handle.token("collab", "collab-password"))
        product = self.victim.product("Victim")
        group = self.victim.group(product, "Victim group")
        self.victim.deploy(group, VICTIM_DEVICE, VICTIM_AGENT)
        device = self.victim.devices()[0]
        assert self.victim.assign(group, device["id"]).status_code == 204
        self.victim_device = self.victim.ok("GET", f"/devices/{device['id']}")
        self.victim_agent_url = f"{handle.root_url}/agents/{self.victim_device['attributes']['agent_id']}"
        self.attacker_product = self.attacker.product("Attacker")
        self.attacks = 0
        wait_for(lambda: len(self.beats()) >= 3, 15)

    def beats(self) -> list[tuple[float, int]]:
        """(arrival time, n) of the victim's beats still in its history, oldest first."""
        found = []
        for entry in self.victim.ok("GET", f"/devices/{self.victim_device['id']}/logs?page[size]=100"):
            if entry["type"] == "server.log" and entry["msg"].startswith("beat "):
                when = datetime.fromisoformat(entry["ts"].replace("Z", "+00:00")).timestamp()
                found.append((when, int(entry["msg"][5:])))
        return sorted(found)

    def victim_lines(self, since: float) -> list[dict]:
        entries = self.victim.ok("GET", f"/devices/{self.victim_device['id']}/logs?page[size]=100")
        return [e for e in entries if _ts(e) >= since]

    def attacker_device(self, device_code: str = "", agent_code: str = "") -> dict:
        """A new device of the attacker's account running this code, once it has booted."""
        self.attacks += 1
        group = self.attacker.group(self.attacker_product, f"Attack {self.attacks}")
        self.attacker.deploy(group, device_code, agent_code)
        device = self.emu.add_device(owner="collab")
        assert self.attacker.assign(group, device["id"]).status_code == 204
        return self.attacker.ok("GET", f"/devices/{device['id']}")

    def attacker_lines(self, device: dict, kind: str | None = None) -> list[str]:
        entries = self.attacker.ok("GET", f"/devices/{device['id']}/logs?page[size]=100")
        return [e["msg"] for e in reversed(entries) if kind is None or e["type"] == kind]

    def watch(self, seconds: float) -> Watch:
        return Watch(self, seconds)

    def runtime(self) -> dict:
        return self.emu.admin("GET", "runtime")["data"]


class Watch:
    """`with shared.watch(s) as w:` polls the victim for at least `s` seconds; `w.figures` afterwards."""

    def __init__(self, shared: Shared, seconds: float) -> None:
        self.shared = shared
        self.seconds = seconds
        self.figures = Figures()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=t, daemon=True) for t in (self._api, self._agent, self._memory)]

    def __enter__(self) -> Watch:
        self.started = time.time()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        remaining = self.started + self.seconds - time.time()
        if remaining > 0:
            time.sleep(remaining)
        self._stop.set()
        for thread in self._threads:
            thread.join(10)
        ended = time.time()
        beats = [(t, n) for t, n in self.shared.beats() if self.started <= t <= ended]
        self.figures.beats = len(beats)
        gaps = [b[0] - a[0] for a, b in zip(beats, beats[1:], strict=False)]
        self.figures.worst_gap_ms = max(0.0, 1000 * (max(gaps, default=PERIOD) - PERIOD))
        if len(beats) < 2 or any(b[1] != a[1] + 1 for a, b in zip(beats, beats[1:], strict=False)):
            self.figures.restarted.append(f"beats not in sequence: {[n for _, n in beats]}")
        for entry in self.shared.victim_lines(self.started):
            if entry["type"] in ("status", "server.error", "agent.error"):
                self.figures.restarted.append(entry["msg"])

    def _api(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = self.shared.victim.session.headers["Authorization"]
        url = f"{self.shared.emu.base_url}/products"
        while not self._stop.wait(0.05):
            started = time.perf_counter()
            session.get(url, timeout=30).raise_for_status()
            self.figures.api_ms.append(1000 * (time.perf_counter() - started))

    def _agent(self) -> None:
        session = requests.Session()
        while not self._stop.wait(0.1):
            started = time.perf_counter()
            answer = session.get(self.shared.victim_agent_url, timeout=30)
            self.figures.agent_ms.append(1000 * (time.perf_counter() - started))
            self.figures.agent_statuses.add(answer.status_code)

    def _memory(self) -> None:
        pid = self.shared.emu.process.process.pid
        while not self._stop.wait(0.1):
            with open(f"/proc/{pid}/status") as status:
                rss_kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            self.figures.rss_mib.append(rss_kib / 1024)


def wait_for(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _ts(entry: dict) -> float:
    return datetime.fromisoformat(entry["ts"].replace("Z", "+00:00")).timestamp()
