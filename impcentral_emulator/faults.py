"""Injected faults for /v5 requests: error statuses, connection resets, latency, dropped streams,
lost answers.

Error statuses and resets are decided before a request is handled, so they never perform the
operation. A lost answer is the opposite case: the write is handled and committed, then the
connection is reset before the answer leaves (a proxy that drops answers). A seeded generator
makes a run reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .errors import invalid

FAULT_SETTINGS = {"status_rates", "reset_rate", "latency_ms", "drop_streams", "lost_answer_rate", "seed"}
WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}


@dataclass
class Faults:
    status_rates: dict[int, float] = field(default_factory=dict)
    reset_rate: float = 0.0
    latency_ms: float = 0.0
    drop_streams: bool = False
    lost_answer_rate: float = 0.0
    seed: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "status_rates": {str(code): rate for code, rate in self.status_rates.items()},
            "reset_rate": self.reset_rate,
            "latency_ms": self.latency_ms,
            "drop_streams": self.drop_streams,
            "lost_answer_rate": self.lost_answer_rate,
            "seed": self.seed,
        }


def _rate(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise invalid(f"'{name}' must be a number between 0 and 1.")
    return float(value)


def parse_faults(body: Any) -> Faults:
    if not isinstance(body, dict):
        raise invalid("The faults document must be a JSON object.")
    unknown = set(body) - FAULT_SETTINGS
    if unknown:
        raise invalid(f"Unknown fault setting '{sorted(unknown)[0]}'.")
    rates_in = body.get("status_rates") or {}
    if not isinstance(rates_in, dict):
        raise invalid("'status_rates' must be an object of status code to rate.")
    rates: dict[int, float] = {}
    for code, rate in rates_in.items():
        if not str(code).isdigit() or not 400 <= int(code) <= 599:
            raise invalid(f"'{code}' is not an HTTP error status (400-599).")
        rates[int(code)] = _rate(rate, f"status_rates.{code}")
    reset_rate = _rate(body.get("reset_rate", 0), "reset_rate")
    if sum(rates.values()) + reset_rate > 1:
        raise invalid("The fault rates add up to more than 1.")
    latency = body.get("latency_ms", 0)
    if isinstance(latency, bool) or not isinstance(latency, (int, float)) or not 0 <= latency <= 60_000:
        raise invalid("'latency_ms' must be a number from 0 to 60000.")
    drop = body.get("drop_streams", False)
    if not isinstance(drop, bool):
        raise invalid("'drop_streams' must be a boolean.")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise invalid("'seed' must be an integer.")
    lost = _rate(body.get("lost_answer_rate", 0), "lost_answer_rate")
    return Faults(rates, reset_rate, float(latency), drop, lost, seed)


class FaultInjector:
    def __init__(self) -> None:
        self.faults = Faults()
        self._rng = random.Random()  # noqa: S311 (reproducible faults, not secrets)

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)  # noqa: S311 (reproducible faults, not secrets)

    def clear(self) -> None:
        self.configure(Faults())

    @property
    def active(self) -> bool:
        f = self.faults
        return bool(f.status_rates or f.reset_rate or f.latency_ms or f.lost_answer_rate)

    def decide(self) -> str | int | None:
        """`"reset"`, an HTTP status to answer with, or None to handle the request normally."""
        f = self.faults
        if not (f.status_rates or f.reset_rate):
            return None
        roll = self._rng.random()
        if roll < f.reset_rate:
            return "reset"
        threshold = f.reset_rate
        for code, rate in f.status_rates.items():
            threshold += rate
            if roll < threshold:
                return code
        return None

    def lose_answer(self, method: str) -> bool:
        """True when the answer to this handled write is to be dropped (its effect is kept)."""
        rate = self.faults.lost_answer_rate
        return bool(rate) and method in WRITE_METHODS and self._rng.random() < rate
