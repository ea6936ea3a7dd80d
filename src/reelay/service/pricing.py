"""What a task costs: points per second of video per model, from the config's [prices] table,
optionally overridden per channel. No prices anywhere: billing is off and every task costs 0.

With billing on, a model the table names neither by itself nor through `default` costs its
catalogue row's list price (Runway's credits per second), so that no model is free by omission."""

from __future__ import annotations

from reelay.domain import catalogue
from reelay.domain.footage import CHARACTER_PERFORMANCE
from reelay.domain.request import GenerationRequest


class Pricing:
    def __init__(self, prices: dict[str, float], channel_prices: dict[str, dict[str, float]] | None = None) -> None:
        self.prices = dict(prices)
        self.channel_prices = {name: dict(table) for name, table in (channel_prices or {}).items() if table}

    @property
    def enabled(self) -> bool:
        return bool(self.prices or self.channel_prices)

    def points(self, request: GenerationRequest, channel: str) -> int:
        if not self.enabled:
            return 0
        table = {**self.prices, **self.channel_prices.get(channel, {})}
        per_second = table.get(request.model, table.get(request.engine_model, table.get("default")))
        if per_second is None:
            per_second = list_price(request)
        # Act-Two and the pro restyles cost per second of the video they follow (domain.footage);
        # sent on to a relay as the client's body, their length is unknown: one task's price.
        # Images have no duration: per image for text_to_image (its catalogue credits are per image).
        return round(float(per_second) * (request.seconds or 1) * request.count)


def list_price(request: GenerationRequest) -> float:
    """The catalogue's credits per second for the model a request runs as (0 for none)."""
    for kind in (request.kind, *catalogue.VIDEO_KINDS, CHARACTER_PERFORMANCE, "video_to_video"):
        row = catalogue.row(kind, request.engine_model)
        if row is not None:
            return row.credits
    return 0.0
