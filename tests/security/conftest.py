"""Security suite: shares the reliability suite's helpers (tests/reliability/relsuite.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reliability"))
