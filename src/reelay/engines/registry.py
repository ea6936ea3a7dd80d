"""Which engine serves a request. One sandbox for now; channels come with upstream engines."""

from __future__ import annotations

from reelay.domain.errors import EngineUnavailable
from reelay.domain.request import GenerationRequest

from .base import Engine


class EngineRegistry:
    def __init__(self, engines: list[Engine]) -> None:
        self.engines = {engine.name: engine for engine in engines}

    def route(self, request: GenerationRequest) -> Engine:
        for engine in self.engines.values():
            if engine.supports(request):
                return engine
        raise EngineUnavailable(
            f"No engine on this server serves {request.kind} with model {request.model}."
        )

    def get(self, name: str) -> Engine:
        return self.engines[name]

    async def close(self) -> None:
        for engine in self.engines.values():
            await engine.close()
