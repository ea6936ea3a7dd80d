"""Requests per second per key: in this process, or shared by every process through Redis."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque


def _window(limit: float) -> tuple[float, int]:
    """A window long enough to hold at least one request: 0.5/s means 1 request per 2 s."""
    window = max(1.0, 1.0 / limit)
    return window, max(1, math.floor(limit * window))


class MemoryRateLimiter:
    """Sliding window per key, for the embedded single-process mode."""

    def __init__(self) -> None:
        self.hits: dict[str, deque] = defaultdict(deque)

    async def hit(self, key_id: str, limit: float) -> float | None:
        """Count one request; None if allowed, else the seconds until one would be."""
        window, allowed = _window(limit)
        now = time.monotonic()
        hits = self.hits[key_id]
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= allowed:
            return hits[0] + window - now
        hits.append(now)
        return None

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    """Fixed windows counted in Redis, so the limit holds across every API process."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.redis = redis.from_url(url)

    async def hit(self, key_id: str, limit: float) -> float | None:
        window, allowed = _window(limit)
        now = time.time()
        bucket = int(now // window)
        name = f"reelay:rate:{key_id}:{bucket}"
        pipe = self.redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, math.ceil(window) + 1)
        count, _ = await pipe.execute()
        if count > allowed:
            return (bucket + 1) * window - now
        return None

    async def close(self) -> None:
        await self.redis.aclose()
