"""What a task costs: points per second of video per model, from the config's [prices] table,
optionally overridden per channel. No prices anywhere: billing is off and every task costs 0."""

from __future__ import annotations

from reelay.domain.request import GenerationRequest


class Pricing:
    def __init__(self, prices: dict[str, float], channel_prices: dict[str, dict[str, float]] | None = None) -> None:
        self.prices = dict(prices)
        self.channel_prices = {name: dict(table) for name, table in (channel_prices or {}).items() if table}

    @property
    def enabled(self) -> bool:
        return bool(self.prices or self.channel_prices)

    def points(self, request: GenerationRequest, channel: str) -> int:
        table = {**self.prices, **self.channel_prices.get(channel, {})}
        per_second = table.get(request.model, table.get(request.engine_model, table.get("default", 0)))
        # video2video and act_one have no duration of their own: their price is per task.
        return round(float(per_second) * (request.seconds or 1))
