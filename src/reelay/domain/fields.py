"""The value types of the model catalogue's fields, and the check of a JSON value against one.

A catalogue row says, field by field, what a model takes (`Choice`, `Integer`, `ListOf`, ...). `problems`
walks a decoded JSON body against those types and lists an `InputError` for everything wrong, each
naming its wire path, dotted (`promptImage.1.position`), so every rule in the catalogue is enforced
by the same few lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import InputError, Problem, raise_all

JSON = Any


@dataclass(frozen=True)
class Text:
    """A non-empty string; `max_units` counts UTF-16 code units, as Runway does."""

    max_units: int | None = None

    def describe(self) -> str:
        return "a string" if self.max_units is None else f"a string of at most {self.max_units} characters"


@dataclass(frozen=True)
class Tag:
    """A reference image's tag, the name a prompt calls it by (`@cliff`): Runway's SDK says 3 to
    16 characters, a letter first, only letters, digits and underscores."""

    def describe(self) -> str:
        return "a tag of 3 to 16 letters, digits or underscores, a letter first"


TAG_PATTERN = r"[A-Za-z][A-Za-z0-9_]{2,15}"
_TAG = re.compile(TAG_PATTERN)


@dataclass(frozen=True)
class Uri:
    """Where a media input is: an https URL, a data URI or a runway:// upload (fetched later)."""

    media: str = "image"  # image | video | audio

    def describe(self) -> str:
        return f"the URI of {'an' if self.media[0] in 'aeiou' else 'a'} {self.media}"


@dataclass(frozen=True)
class Integer:
    minimum: int | None = None
    maximum: int | None = None

    def describe(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"an integer from {self.minimum} to {self.maximum}"
        return "an integer"


@dataclass(frozen=True)
class Number:
    minimum: float | None = None
    maximum: float | None = None

    def describe(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"a number from {self.minimum:g} to {self.maximum:g}"
        return "a number"


@dataclass(frozen=True)
class Flag:
    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class Choice:
    values: tuple[str | int, ...]

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) if isinstance(v, str) else str(v) for v in self.values)


@dataclass(frozen=True)
class ListOf:
    item: Type
    max_items: int | None = None

    def describe(self) -> str:
        return "a list" if self.max_items is None else f"a list of at most {self.max_items}"


@dataclass(frozen=True)
class Record:
    """A JSON object with these members and no others."""

    fields: Mapping[str, Field]

    def describe(self) -> str:
        return "an object"


@dataclass(frozen=True)
class AnyOf:
    options: tuple[Type, ...]

    def describe(self) -> str:
        return " or ".join(option.describe() for option in self.options)


Type = Text | Tag | Uri | Integer | Number | Flag | Choice | ListOf | Record | AnyOf


@dataclass(frozen=True)
class Field:
    type: Type
    required: bool = False
    notes: str = field(default="", compare=False)


def required(type_: Type) -> Field:
    return Field(type_, required=True)


def optional(type_: Type) -> Field:
    return Field(type_)


def _json_kind(value: JSON) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "null"


def _kinds(type_: Type) -> set[str]:
    """The JSON kinds a type can accept, to pick which option of an AnyOf speaks for a value."""
    if isinstance(type_, Text | Tag | Uri):
        return {"str"}
    if isinstance(type_, Integer):
        return {"int"}
    if isinstance(type_, Number):
        return {"int", "number"}
    if isinstance(type_, Flag):
        return {"bool"}
    if isinstance(type_, Choice):
        return {"str" if isinstance(v, str) else "int" for v in type_.values}
    if isinstance(type_, ListOf):
        return {"list"}
    if isinstance(type_, Record):
        return {"object"}
    return set().union(*(_kinds(option) for option in type_.options))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check(value: JSON, type_: Type, path: str) -> None:
    """Raise InputError(path, ...) unless `value` is a `type_` (InputErrors when several things are wrong)."""
    raise_all(problems(value, type_, path))


def problems(value: JSON, type_: Type, path: str) -> list[InputError]:
    """Everything wrong with `value` as a `type_`, in the order found (members and items in order)."""
    kind = _json_kind(value)
    if isinstance(type_, AnyOf):
        speaking = [option for option in type_.options if kind in _kinds(option)]
        if not speaking:
            return [InputError(path, f"must be {type_.describe()}", problem=Problem.WRONG_TYPE)]
        # The form the value comes closest to speaks for it (none found: it satisfies one), so an
        # image character without its uri is told that, not that it is no video either.
        return min((problems(value, option, path) for option in speaking), key=len)
    if kind not in _kinds(type_):
        return [InputError(path, f"must be {type_.describe()}, not {_shown(value)}", problem=Problem.WRONG_TYPE)]
    if isinstance(type_, Text | Uri):
        return _text_problems(value, type_, path)
    if isinstance(type_, Tag) and not _TAG.fullmatch(value):
        return [InputError(path, f"must be {type_.describe()}, not {_shown(value)}", problem=Problem.FORMAT)]
    if isinstance(type_, Integer | Number):
        if type_.minimum is not None and value < type_.minimum:
            return [
                InputError(
                    path, f"must be {type_.describe()}, not {value}", problem=Problem.TOO_SMALL, limit=type_.minimum
                )
            ]
        if type_.maximum is not None and value > type_.maximum:
            return [
                InputError(
                    path, f"must be {type_.describe()}, not {value}", problem=Problem.TOO_BIG, limit=type_.maximum
                )
            ]
    elif isinstance(type_, Choice):
        if value not in type_.values:
            return [
                InputError(
                    path,
                    f"must be {type_.describe()}, not {_shown(value)}",
                    problem=Problem.NOT_ALLOWED,
                    allowed=type_.values,
                )
            ]
    elif isinstance(type_, ListOf):
        return _list_problems(value, type_, path)
    elif isinstance(type_, Record):
        return member_problems(value, type_.fields, path)
    return []


def _text_problems(value: str, type_: Text | Uri, path: str) -> list[InputError]:
    units = utf16_units(value)
    if units == 0 or not value.strip():
        return [InputError(path, "must not be empty", problem=Problem.TOO_SMALL, limit=1)]
    if isinstance(type_, Text) and type_.max_units is not None and units > type_.max_units:
        return [
            InputError(
                path,
                f"must be at most {type_.max_units} characters (UTF-16 code units), not {units}",
                problem=Problem.TOO_BIG,
                limit=type_.max_units,
            )
        ]
    return []


def _list_problems(value: list[JSON], type_: ListOf, path: str) -> list[InputError]:
    if not value:
        return [InputError(path, "must not be an empty list", problem=Problem.TOO_SMALL, limit=1)]
    found = []
    if type_.max_items is not None and len(value) > type_.max_items:
        found.append(
            InputError(
                path,
                f"takes at most {type_.max_items} items, not {len(value)}",
                problem=Problem.TOO_BIG,
                limit=type_.max_items,
            )
        )
    for index, item in enumerate(value):
        found += problems(item, type_.item, f"{path}.{index}")
    return found


def check_members(value: Mapping[str, JSON], fields: Mapping[str, Field], path: str = "") -> None:
    raise_all(member_problems(value, fields, path))


def member_problems(value: Mapping[str, JSON], fields: Mapping[str, Field], path: str = "") -> list[InputError]:
    """Unknown members first (in the order given), then each field's own problems in `fields`' order."""
    prefix = f"{path}." if path else ""
    found = [
        InputError(prefix + name, "is not a known parameter", problem=Problem.UNKNOWN)
        for name in value
        if name not in fields
    ]
    for name, spec in fields.items():
        if name not in value or value[name] is None:
            if spec.required:
                found.append(InputError(prefix + name, "is required", problem=Problem.MISSING))
            continue
        found += problems(value[name], spec.type, prefix + name)
    return found


def _shown(value: JSON) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
