"""`make demo`: the factory setup and a canary release of "Connected Meter 400" against the local emulator.

Starts the emulator with the demo seed (state in a temporary directory), runs playbooks/demo.yml with
ansible-playbook, shows the product with `impt product info --full`, and always stops the emulator.
Exits non-zero when any step fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CTL = ROOT / "scripts" / "emulator_ctl.py"
PRODUCT = "Connected Meter 400"


def step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def run(command: list[str], env: dict[str, str], cwd: Path) -> None:
    print("$ " + " ".join(f'"{c}"' if " " in c else c for c in command), flush=True)
    done = subprocess.run(command, env=env, cwd=cwd, check=False)
    if done.returncode != 0:
        raise SystemExit(f"Error: {Path(command[0]).name} failed with exit code {done.returncode}.")


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="impcentral-demo-") as tmp:
        state = Path(tmp) / "emulator"
        step("Starting the impCentral emulator (demo seed)")
        url = subprocess.run(
            [
                sys.executable,
                str(CTL),
                "start",
                "--state-dir",
                str(state),
                "--seed",
                "demo",
                "--db",
                str(Path(tmp) / "demo.db"),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(f"emulator at {url}", flush=True)
        try:
            env = dict(
                os.environ,
                IMPT_ENDPOINT=url,
                IMPT_USER="demo",
                IMPT_PASSWORD="demo-password",  # noqa: S106 - the emulator's demo seed account
                XDG_CACHE_HOME=str(Path(tmp) / "cache"),
                ANSIBLE_LOCALHOST_WARNING="0",
                ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
                ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                NO_PROXY="127.0.0.1,localhost",
            )
            for name in ("IMPT_LOGINKEY", "IMPT_AUTH_FILE_PATH"):
                env.pop(name, None)
            step("Factory setup, assembly line and canary release: playbooks/demo.yml")
            run(
                [str(BIN / "ansible-playbook"), "-i", "localhost,", str(ROOT / "playbooks" / "demo.yml")],
                env,
                Path(tmp),
            )
            step(f'The resulting product: impt product info --full -p "{PRODUCT}"')
            run([str(BIN / "impt"), "product", "info", "--full", "-p", PRODUCT], env, Path(tmp))
        finally:
            step("Stopping the emulator")
            subprocess.run([sys.executable, str(CTL), "stop", "--state-dir", str(state)], check=False)
    print(f"\nDemo finished in {time.monotonic() - started:.0f} s.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
