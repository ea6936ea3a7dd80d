"""Channels and their engines: which one serves a request, in what order, and which are healthy.

Routing picks by capability (kind and model), then priority (higher first), then weight among
channels of the same priority; channels that failed recently are tried last.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from reelay.config import ChannelConfig
from reelay.domain.errors import EngineUnavailable
from reelay.domain.request import GenerationRequest

from .base import Engine


@dataclass
class Health:
    failures: int = 0
    unhealthy_until: float = 0.0
    recent_errors: deque = field(default_factory=lambda: deque(maxlen=10))

    @property
    def healthy(self) -> bool:
        return time.time() >= self.unhealthy_until


class ChannelRegistry:
    def __init__(
        self, channels: list[tuple[ChannelConfig, Engine]], rng: random.Random | None = None, on_failure=None
    ) -> None:
        self.on_failure = on_failure or (lambda name: None)
        self.channels = {config.name: config for config, _ in channels}
        self.engines = {config.name: engine for config, engine in channels}
        self.health = {name: Health() for name in self.channels}
        self.rng = rng or random.Random()

    def candidates(self, request: GenerationRequest, exclude: AbstractSet[str] = frozenset()) -> list[str]:
        """Channel names able to serve the request, best first."""
        able = [
            config
            for name, config in self.channels.items()
            if name not in exclude
            and self.engines[name].supports(request)
            and config.serves(request.model, request.engine_model)
        ]
        ordered: list[str] = []
        for priority in sorted({c.priority for c in able}, reverse=True):
            group = [c for c in able if c.priority == priority]
            ordered += self._weighted_order(group)
        # Healthy channels first; an unhealthy one is still better than none.
        return sorted(ordered, key=lambda name: not self.health[name].healthy)

    def _weighted_order(self, group: list[ChannelConfig]) -> list[str]:
        order, pool = [], list(group)
        while pool:
            pick = self.rng.choices(pool, weights=[max(c.weight, 0) or 1e-9 for c in pool])[0]
            order.append(pick.name)
            pool.remove(pick)
        return order

    def route(self, request: GenerationRequest) -> Engine:
        found = self.candidates(request)
        if not found:
            raise EngineUnavailable(f"No engine on this server serves {request.kind} with model {request.model}.")
        return self.engines[found[0]]

    def get(self, name: str) -> Engine:
        return self.engines[name]

    def config(self, name: str) -> ChannelConfig:
        return self.channels[name]

    def names_for_engines(self, kinds: list[str]) -> list[str]:
        return [name for name, config in self.channels.items() if config.engine in kinds]

    def mark_failure(self, name: str, error: str) -> None:
        health = self.health[name]
        health.failures += 1
        health.unhealthy_until = time.time() + min(5.0 * 2 ** (health.failures - 1), 60.0)
        health.recent_errors.append((time.time(), error))
        self.on_failure(name)

    def mark_success(self, name: str) -> None:
        health = self.health[name]
        health.failures = 0
        health.unhealthy_until = 0.0

    async def close(self) -> None:
        for engine in self.engines.values():
            await engine.close()
