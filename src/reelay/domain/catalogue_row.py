"""One row of the model catalogue: what one model takes on one endpoint, and what it costs.

A row's `fields` type each field alone; its `rules` say what holds between fields, as Runway's
docs state it ("`proresProfile` only with `outputFormat` prores", "the segments' durations total
3 to 15 s"). Rules are data of a few kinds (`Requires`, `Forbids`, `Only`, `Limits`, `Total`,
`Count`, `Unique`, `AllOrNone`, `Within`), all checked by `catalogue_rules.broken`. A rule's fields are
dotted wire paths (`providerSettings.shotType`); a `*` stands for every item of a list
(`promptImage.*.position`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from .fields import JSON, AnyOf, Choice, Field, Integer, ListOf, Record, Type


def shown(values: tuple[JSON, ...]) -> str:
    """Values as JSON writes them (`true`, `"prores"`), joined by "or"."""
    return " or ".join(json.dumps(v) for v in values)


@dataclass(frozen=True)
class When:
    """A condition on a body: `field` is given and, with `values`, is one of them (with
    `other_than`, none of them). A field not given never meets a condition."""

    field: str
    values: tuple[JSON, ...] | None = None
    other_than: tuple[JSON, ...] | None = None

    def describe(self) -> str:
        if self.values is not None:
            return f"{self.field} is {shown(self.values)}"
        if self.other_than is not None:
            return f"{self.field} is not {shown(self.other_than)}"
        return f"{self.field} is given"


@dataclass(frozen=True)
class Requires:
    """One of `fields` must be given: always, or when `when` holds."""

    fields: tuple[str, ...]
    when: When | None = None


@dataclass(frozen=True)
class Forbids:
    """None of `fields` may be given when `when` holds."""

    fields: tuple[str, ...]
    when: When


@dataclass(frozen=True)
class Only:
    """`field` may be given only when `when` holds."""

    field: str
    when: When


@dataclass(frozen=True)
class Limits:
    """When `when` holds, `field` (if given) must be one of `values`."""

    field: str
    values: tuple[JSON, ...]
    when: When


@dataclass(frozen=True)
class Total:
    """The list `field`'s items' `member` values add up to `minimum`..`maximum`."""

    field: str
    member: str
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Count:
    """The items given across `fields` (a lone string is one) number `minimum`..`maximum`: always,
    or when `when` holds; with `where` (member, value), only the items whose member has that value."""

    fields: tuple[str, ...]
    minimum: int | None = None
    maximum: int | None = None
    when: When | None = None
    where: tuple[str, JSON] | None = None


@dataclass(frozen=True)
class Unique:
    """No two items of the list `field` give the same `member`."""

    field: str
    member: str


@dataclass(frozen=True)
class AllOrNone:
    """Every item of the list `field` gives `member`, or none does."""

    field: str
    member: str


@dataclass(frozen=True)
class Within:
    """Each item of the list `field` that gives `member` and both ends of a span (`start`, `end`:
    dotted paths in the item) has `member` from `start` up to, not including, `end`."""

    field: str
    member: str
    start: str
    end: str


Rule = Requires | Forbids | Only | Limits | Total | Count | Unique | AllOrNone | Within


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
    rules: tuple[Rule, ...] = ()  # what must hold between fields (module docstring)

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
