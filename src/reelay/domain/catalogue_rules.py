"""The check of a row's cross-field rules (`catalogue_row.Rule`) against a body.

`broken` lists an InputError for each rule a body breaks, naming the field to fix, in the
rules' order. It reads bodies whose fields were each checked already; a rule that reads a field
with its own problem is left out (`roots`), so one mistake is reported once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from .catalogue_row import AllOrNone, Count, Forbids, Limits, Only, Requires, Rule, Total, Unique, When, Within, shown
from .errors import InputError, Problem
from .fields import JSON

Body = Mapping[str, Any]


def broken(rules: Iterable[Rule], body: Body, skip: AbstractSet[str] = frozenset()) -> list[InputError]:
    """What `body` breaks of `rules`, leaving out the rules that read a top-level field in `skip`."""
    found: list[InputError] = []
    for rule in rules:
        if not roots(rule) & skip:
            found += _broken(rule, body)
    return found


def roots(rule: Rule) -> set[str]:
    """The top-level fields a rule reads."""
    paths: list[str] = []
    for name in ("field", "fields"):
        value = getattr(rule, name, None)
        paths += [value] if isinstance(value, str) else list(value or ())
    when = getattr(rule, "when", None)
    if when is not None:
        paths.append(when.field)
    return {path.split(".", 1)[0] for path in paths}


def found(body: Body, path: str) -> list[tuple[str, JSON]]:
    """(wire path, value) of each value given at a dotted path; `*` takes every item of a list."""
    here: list[tuple[str, JSON]] = [("", body)]
    for part in path.split("."):
        deeper: list[tuple[str, JSON]] = []
        for where, value in here:
            prefix = f"{where}." if where else ""
            if part == "*" and isinstance(value, list):
                deeper += [(f"{prefix}{index}", item) for index, item in enumerate(value)]
            elif isinstance(value, Mapping) and value.get(part) is not None:
                deeper.append((prefix + part, value[part]))
        here = deeper
    return here


def holds(when: When | None, body: Body) -> bool:
    if when is None:
        return True
    for _, value in found(body, when.field):
        if when.values is not None and value not in when.values:
            continue
        if when.other_than is not None and value in when.other_than:
            continue
        return True
    return False


def _broken(rule: Rule, body: Body) -> list[InputError]:
    if isinstance(rule, Only):  # the one rule broken when its condition does not hold
        return _only(rule, body)
    if not holds(getattr(rule, "when", None), body):
        return []
    if isinstance(rule, Requires):
        if any(found(body, name) for name in rule.fields):
            return []
        why = f" when {rule.when.describe()}" if rule.when else ""
        instead = f" (or instead {' or '.join(rule.fields[1:])})" if len(rule.fields) > 1 else ""
        return [InputError(rule.fields[0], f"is required{why}{instead}", problem=Problem.MISSING)]
    if isinstance(rule, Forbids):
        return [
            InputError(where, f"must not be given when {rule.when.describe()}")
            for name in rule.fields
            for where, _ in found(body, name)
        ]
    if isinstance(rule, Limits):
        return [
            InputError(
                where,
                f"must be {shown(rule.values)} when {rule.when.describe()}, not {shown((value,))}",
                problem=Problem.NOT_ALLOWED,
                allowed=rule.values,
            )
            for where, value in found(body, rule.field)
            if value not in rule.values
        ]
    if isinstance(rule, Total):
        return _total(rule, body)
    if isinstance(rule, Count):
        return _count(rule, body)
    if isinstance(rule, Unique):
        return _unique(rule, body)
    if isinstance(rule, AllOrNone):
        return _all_or_none(rule, body)
    return _within(rule, body)


def _only(rule: Only, body: Body) -> list[InputError]:
    if holds(rule.when, body):
        return []
    return [InputError(where, f"is taken only when {rule.when.describe()}") for where, _ in found(body, rule.field)]


def _total(rule: Total, body: Body) -> list[InputError]:
    numbers = [value for _, value in found(body, f"{rule.field}.*.{rule.member}") if _is_number(value)]
    if not numbers:
        return []
    total = sum(numbers)
    bounds = [f"at least {rule.minimum:g}"] if rule.minimum is not None else []
    bounds += [f"at most {rule.maximum:g}"] if rule.maximum is not None else []
    message = f"the items' {rule.member} must total {' and '.join(bounds)}, not {total:g}"
    if rule.minimum is not None and total < rule.minimum:
        return [InputError(rule.field, message, problem=Problem.TOO_SMALL, limit=rule.minimum)]
    if rule.maximum is not None and total > rule.maximum:
        return [InputError(rule.field, message, problem=Problem.TOO_BIG, limit=rule.maximum)]
    return []


def _count(rule: Count, body: Body) -> list[InputError]:
    given = [(name, value) for name in rule.fields for _, value in found(body, name)]
    number = sum(_items(value, rule.where) for _, value in given)
    named = given[-1][0] if given else rule.fields[-1]
    together = " and ".join(rule.fields)
    which = f" with {rule.where[0]} {shown(rule.where[1:])}" if rule.where else ""
    why = f" when {rule.when.describe()}" if rule.when else ""
    if rule.maximum is not None and number > rule.maximum:
        message = f"{together} take at most {rule.maximum} items{which} together{why}, not {number}"
        return [InputError(named, message, problem=Problem.TOO_BIG, limit=rule.maximum)]
    if rule.minimum is not None and number < rule.minimum:
        message = f"{together} need at least {rule.minimum} items{which}{why}, not {number}"
        return [InputError(named, message, problem=Problem.TOO_SMALL, limit=rule.minimum)]
    return []


def _items(value: JSON, where: tuple[str, JSON] | None) -> int:
    if isinstance(value, str):
        return 1 if where is None else 0
    if not isinstance(value, list):
        return 0
    if where is None:
        return len(value)
    member, wanted = where
    return sum(1 for item in value if isinstance(item, Mapping) and item.get(member) == wanted)


def _unique(rule: Unique, body: Body) -> list[InputError]:
    seen: dict[Any, str] = {}
    problems = []
    for where, value in found(body, f"{rule.field}.*.{rule.member}"):
        key = repr(value)
        if key in seen:
            problems.append(InputError(where, f"{shown((value,))} is given twice ({seen[key]} has it too)"))
        else:
            seen[key] = where
    return problems


def _all_or_none(rule: AllOrNone, body: Body) -> list[InputError]:
    items = [value for _, value in found(body, f"{rule.field}.*")]
    having = sum(1 for item in items if isinstance(item, Mapping) and item.get(rule.member) is not None)
    if 0 < having < len(items):
        message = f"every item gives {rule.member} or none does; {having} of {len(items)} do"
        return [InputError(rule.field, message)]
    return []


def _within(rule: Within, body: Body) -> list[InputError]:
    problems = []
    for where, item in found(body, f"{rule.field}.*"):
        value, start, end = (_one(item, path) for path in (rule.member, rule.start, rule.end))
        if _is_number(value) and _is_number(start) and _is_number(end) and not start <= value < end:
            message = f"must fall within {rule.start} and {rule.end} ({start:g} up to {end:g}), not {value:g}"
            problems.append(InputError(f"{where}.{rule.member}", message))
    return problems


def _one(item: JSON, path: str) -> JSON:
    values = found(item, path) if isinstance(item, Mapping) else []
    return values[0][1] if values else None


def _is_number(value: JSON) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
