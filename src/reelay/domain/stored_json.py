"""Reading the fields of a state stored as a JSON object, tolerantly.

A state written by older code may lack a field, or hold it in another shape: such a field reads
as its default, so every stored row still loads. Writing leaves out fields that are unset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

JsonObject: TypeAlias = dict[str, Any]


def as_object(data: object) -> Mapping[str, Any]:
    """The stored value as a mapping; anything else (NULL, a list) reads as empty."""
    return data if isinstance(data, Mapping) else {}


def read_float(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def read_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def read_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def read_bool(data: Mapping[str, Any], key: str) -> bool:
    return data.get(key) is True


def read_strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def without_unset(values: Mapping[str, Any]) -> JsonObject:
    """The fields that are set (not None): what a state writes."""
    return {key: value for key, value in values.items() if value is not None}
