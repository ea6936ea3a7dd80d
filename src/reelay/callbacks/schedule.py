"""When to try a failed delivery again: exponential backoff with jitter, for at least a day."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetrySchedule:
    first_delay: float = 5.0  # seconds before the second attempt
    factor: float = 2.0
    max_delay: float = 3600.0  # never wait more than an hour between attempts
    jitter: float = 0.2  # ±20 %, so receivers that come back are not stampeded
    give_up_after: float = 24 * 3600.0  # keep trying at least this long after the change

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """The wait after the `failures`-th failed attempt (1-based)."""
        base = min(self.first_delay * self.factor ** (failures - 1), self.max_delay)
        spread = (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, base * (1 + spread))

    def next_attempt(self, failures: int, created_at: float, now: float) -> float | None:
        """The time of the next attempt, or None when the delivery has had its day: it is dead."""
        if now - created_at >= self.give_up_after:
            return None
        return now + self.delay(failures)
