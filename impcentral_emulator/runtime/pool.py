"""Worker processes: one account's VMs (or compiles) each, started lazily, diagnosed when they die.

A worker is a plain subprocess (`python -m impcentral_emulator.runtime.worker`), not
multiprocessing: spawning through multiprocessing re-imports the emulator's main module in every
worker. It talks over two pipes; `progress` is a shared page where it writes the sequence number
of the event it runs and its memory figures, so that a death can be blamed on that event and told
apart: the CPU watchdog (SIGPROF), memory (the address-space cap: the peak resident memory reached
the VM's allowance), or a crash (the signal, by name). The VMs run in a child of that process (the
worker proper): the process the host starts only reaps it, so that its peak memory is its own.
"""

from __future__ import annotations

import mmap
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from .limits import Limits
from .worker import PAGE_SIZE, PROGRESS, PROPER, limits_argument

Event = tuple[int, str, str, Any, float]  # seq, vm_id, op, payload, the clock's time
_STACK = max(resource.getrlimit(resource.RLIMIT_STACK)[0], 8 << 20)  # the C stack a VM may use


@dataclass(frozen=True)
class Death:
    """Why a worker died: `seq` of the event it ran (0: none), `kind`, in a few words, and as an error line."""

    seq: int
    kind: str  # "watchdog", "memory", "crash", "exit"
    what: str  # "SIGSEGV", "out of memory", ...
    reason: str


class WorkerProcess:
    """A worker process of one account and role ("device", "agent", "quarantine", "compile")."""

    def __init__(self, account: str, role: str, index: int, limits: Limits) -> None:
        self.account = account
        self.role = role
        self.index = index
        self.limits = limits
        self.answered = False
        self.last_used = 0.0  # the event loop's time of the last event queued (idle workers close)
        self.status: int | None = None
        self.peak_kib = 0
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self._progress_file = tempfile.TemporaryFile()
        self._progress_file.truncate(PAGE_SIZE)
        self.progress = mmap.mmap(self._progress_file.fileno(), PAGE_SIZE)
        command = [
            sys.executable,
            "-m",
            "impcentral_emulator.runtime.worker",
            str(to_child_r),
            str(from_child_w),
            str(self._progress_file.fileno()),
            limits_argument(limits),
        ]
        self.proc = subprocess.Popen(
            command,
            pass_fds=(to_child_r, from_child_w, self._progress_file.fileno()),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.writer = Connection(to_child_w, readable=False)
        self.reader = Connection(from_child_r, writable=False)
        self.queue: list[Event] = []
        self.inflight: list[Event] | None = None
        self.vms: set[str] = set()

    @property
    def pid(self) -> int:
        """The process that runs the VMs (a child of `proc`, the reaper; see `worker._fork_under_reaper`)."""
        return PROPER.unpack_from(self.progress, PROGRESS.size)[0] or self.proc.pid

    def reap(self) -> int:
        """Wait for the process to end (killing it after 5 s); its exit status, as `Popen` gives it."""
        deadline = time.monotonic() + 5
        while self.status is None:
            try:
                pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                self.status = self.proc.returncode if self.proc.returncode is not None else 0
                break
            if pid:
                self.status = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
                self.proc.returncode = self.status
                self.peak_kib = usage.ru_maxrss
            elif time.monotonic() > deadline:
                self.proc.kill()
            else:
                time.sleep(0.002)
        return self.status

    def diagnose(self) -> Death:
        """Why the worker ended (call once its pipe closed)."""
        code = self.reap()
        seq, rss_before, _headroom, peak_before = PROGRESS.unpack_from(self.progress, 0)
        peak_at_death = PROPER.unpack_from(self.progress, PROGRESS.size)[1]
        peak_kib = peak_at_death or self.peak_kib  # the reaper's figure: the worker proper's own peak
        if code == -signal.SIGPROF:
            cpu = f"{self.limits.cpu_seconds:g} s of CPU time"
            return Death(seq, "watchdog", f"more than {cpu}", f"watchdog: the code ran for more than {cpu}")
        # Memory: during the event the resident memory grew by more than a full C stack and half the
        # VM's allowance (a stack overflow alone touches at most the stack: a crash, its signal the
        # reason). The worker resets its peak at each event's start where Linux allows it, so the
        # peak at death is the fatal event's; elsewhere only growth past `peak_before` counts.
        growth = peak_kib * 1024 - rss_before
        grew = peak_kib > peak_before and growth >= _STACK + self.limits.memory_bytes // 2
        if code < 0 and seq and grew:
            return Death(seq, "memory", "out of memory", "out of memory")
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return Death(seq, "crash", name, f"the Squirrel VM crashed ({name})")
        return Death(seq, "exit", f"exit status {code}", f"the Squirrel worker process exited with status {code}")

    def close(self) -> None:
        """Ask the process to end (by closing its pipe), wait, kill it if it does not."""
        for conn in (self.writer, self.reader):
            conn.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.progress.close()
        self._progress_file.close()
