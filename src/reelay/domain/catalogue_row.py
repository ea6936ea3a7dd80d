"""One row of the model catalogue: what one model takes on one endpoint, and what it costs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .fields import AnyOf, Choice, Field, Integer, ListOf, Record, Type


@dataclass(frozen=True)
class Row:
    endpoint: str  # image_to_video, text_to_video, text_to_image, video_to_video, ...
    model: str
    fields: Mapping[str, Field]  # wire name -> its type; every other field is refused
    credits: float  # Runway's list price, per `per`
    per: str = "second"  # second (of output) | image | task
    default_seconds: int = 5  # when the body gives no duration
    last_needs_first: bool = False  # a last frame only together with a first one
    legacy: bool = False  # no longer in Runway's SDK; accepted for older clients

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(name for name, spec in self.fields.items() if spec.required)

    @property
    def ratios(self) -> tuple[str, ...]:
        """The `ratio` values: pixel pairs ("1280:720"), aspect names ("16:9") or tiers ("auto_720p")."""
        return tuple(str(v) for v in _choices(self.fields.get("ratio")))

    @property
    def resolutions(self) -> tuple[str, ...]:
        return tuple(str(v) for v in _choices(self.fields.get("resolution")))

    @property
    def durations(self) -> tuple[int, ...]:
        """Every whole number of seconds the model takes (empty: it takes no duration)."""
        spec = self.fields.get("duration")
        if spec is None:
            return ()
        found: set[int] = set()
        for option in _options(spec.type):
            if isinstance(option, Integer) and option.minimum is not None and option.maximum is not None:
                found.update(range(option.minimum, option.maximum + 1))
            elif isinstance(option, Choice):
                found.update(v for v in option.values if isinstance(v, int))
        return tuple(sorted(found))

    @property
    def takes_auto_duration(self) -> bool:
        spec = self.fields.get("duration")
        return spec is not None and "auto" in _choices(spec)

    @property
    def positions(self) -> tuple[str, ...]:
        """The `promptImage` positions ("first", "last", ...); empty when there is no promptImage."""
        spec = self.fields.get("promptImage")
        if spec is None:
            return ()
        for option in _options(spec.type):
            if isinstance(option, ListOf) and isinstance(option.item, Record) and "position" in option.item.fields:
                return tuple(str(v) for v in _choices(option.item.fields["position"]))
        return ("first",)


def _options(type_: Type) -> tuple[Type, ...]:
    return type_.options if isinstance(type_, AnyOf) else (type_,)


def _choices(spec: Field | None) -> tuple[str | int, ...]:
    if spec is None:
        return ()
    return tuple(v for option in _options(spec.type) if isinstance(option, Choice) for v in option.values)
