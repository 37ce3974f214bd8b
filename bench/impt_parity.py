"""A fixed list of 40 impt commands run against two emulator states, printing the JSON of each, so that a
reviewer can diff our impt against any other impt (2.6.1 included) on the same states.

Run: .venv/bin/python bench/impt_parity.py [--impt COMMAND] [--normalize] > ours.txt
     .venv/bin/python bench/impt_parity.py --impt "node /path/to/impt/bin/impt" --normalize > theirs.txt
     diff ours.txt theirs.txt

States: `demo` (the emulator's demo seed: accounts and eight unassigned devices) and `zombies`
(tests/integration/impt/seed_zombies.yaml: a product with groups, builds whose group is gone, a flagged build,
names with control characters). Each state gets a fresh emulator, a temporary directory with `device.nut` and
`agent.nut`, and a local login; then every command runs in order with `-z json` (the commands build on each
other). Each block is `### <state> <nn>: impt <args>`, `exit: <code>`, then stdout as impt printed it.
`--normalize` replaces every UUID and timestamp by a stable placeholder, numbered in order of appearance.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STATES = {"demo": "demo", "zombies": str(ROOT / "tests" / "integration" / "impt" / "seed_zombies.yaml")}
HOOK = "http://127.0.0.1:9/hook"

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("account", "info"),
    ("product", "list"),
    ("product", "create", "-n", "Parity", "-s", "parity product"),
    ("product", "info", "-p", "Parity"),
    ("dg", "create", "-n", "ParityDev", "-p", "Parity", "-s", "dev"),
    ("dg", "create", "-n", "ParityPre", "-p", "Parity", "-y", "pre-production"),
    ("dg", "list", "-p", "Parity"),
    ("dg", "info", "-g", "ParityDev", "--full"),
    ("dg", "update", "-g", "ParityDev", "-s", "updated"),
    ("device", "list", "--unassigned"),
    ("device", "assign", "-d", "sensor-1", "-g", "ParityDev", "-q"),
    ("device", "info", "-d", "sensor-1"),
    ("device", "update", "-d", "sensor-1", "-n", "sensor-one"),
    ("build", "deploy", "-g", "ParityDev", "-x", "device.nut", "-y", "agent.nut", "-t", "v1", "-s", "first"),
    ("build", "deploy", "-g", "ParityDev", "-x", "device.nut", "-t", "v2", "-f"),
    ("build", "list", "-g", "ParityDev"),
    ("build", "info", "-b", "v1"),
    ("build", "update", "-b", "v1", "-t", "v1b", "-s", "changed"),
    ("build", "list", "--zombie"),
    ("build", "list", "--flagged"),
    ("dg", "update", "-g", "ParityDev", "-m", "v2"),
    ("dg", "builds", "-g", "ParityDev"),
    ("build", "copy", "-b", "v2", "-g", "ParityPre"),
    ("webhook", "create", "-g", "ParityDev", "-u", HOOK, "-e", "deployment", "-m", "json"),
    ("webhook", "list", "-g", "ParityDev"),
    ("product", "info", "-p", "Parity", "--full"),
    ("dg", "info", "-g", "{me}{Parity}{ParityDev}"),
    ("product", "info", "-p", "{me}{}"),
    ("dg", "info", "-g", "nope"),
    ("build", "delete", "-b", "v1b", "-q"),
    ("dg", "restart", "-g", "ParityDev"),
    ("device", "unassign", "-d", "sensor-one"),
    ("loginkey", "list"),
    ("project", "link", "-g", "ParityDev", "-q"),
    ("project", "info"),
    ("build", "run", "-x", "device.nut", "-s", "run from project"),
    ("dg", "builds", "--unflag-old", "--remove", "-q"),
    ("build", "cleanup", "-q"),
    ("project", "delete", "-q"),
    ("product", "delete", "-p", "Parity", "--force", "--builds", "-q"),
)
assert len(COMMANDS) == 40

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
_SHA = re.compile(r"\b[0-9a-f]{64}\b")


def normalize(text: str, names: dict[str, str]) -> str:
    """Ids, timestamps and hashes as `<id-N>`, `<time>`, `<sha-N>`: the same id keeps its number."""

    def name(prefix: str):
        def replace(found: re.Match) -> str:
            return names.setdefault(found.group(0), f"<{prefix}-{len(names) + 1}>")

        return replace

    text = _UUID.sub(name("id"), text)
    text = _SHA.sub(name("sha"), text)
    return _TIME.sub("<time>", text)


def start_emulator(seed: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(  # noqa: S603 - our own emulator script
        [str(BIN / "impcentral-emulator"), "--port", "0", "--seed", seed, "--rate-limit", "off"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # webhook deliveries to the unreachable test URL
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise SystemExit(f"the emulator did not start with seed {seed}")
    return process, line.strip().rsplit(" ", 1)[-1]


def run_state(state: str, seed: str, impt: list[str], normalized: bool) -> None:
    process, base_url = start_emulator(seed)
    names: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory() as temp:
            work, home = Path(temp) / "work", Path(temp) / "home"
            work.mkdir()
            home.mkdir()
            (work / "device.nut").write_text('server.log("parity device");\n')
            (work / "agent.nut").write_text('server.log("parity agent");\n')
            env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}

            def impt_run(args: tuple[str, ...]) -> subprocess.CompletedProcess:
                return subprocess.run(  # noqa: S603 - the impt under test
                    [*impt, *args], cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False
                )

            login = ("auth", "login", "--local", "--endpoint", base_url, "--user", "demo", "--pwd", "demo-password")
            if impt_run((*login, "-q")).returncode != 0:
                raise SystemExit(f"{state}: impt auth login failed")
            for number, args in enumerate(COMMANDS, 1):
                done = impt_run((*args, "-z", "json"))
                out = normalize(done.stdout, names) if normalized else done.stdout
                print(f"### {state} {number:02d}: impt {shlex.join(args)}")
                print(f"exit: {done.returncode}")
                print(out.rstrip("\n"))
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impt", default=str(BIN / "impt"), help="the impt command to run (split like a shell)")
    parser.add_argument("--normalize", action="store_true", help="stable placeholders for ids and times")
    parser.add_argument("--state", choices=sorted(STATES), action="append", help="only these states")
    options = parser.parse_args()
    impt = shlex.split(options.impt)
    for state in options.state or list(STATES):
        run_state(state, STATES[state], impt, options.normalize)


if __name__ == "__main__":
    main()
