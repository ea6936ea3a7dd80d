"""Fault rules: which requests misbehave, and how.

A rule is `{"match": {"method", "path", "key"}, "times": N, <one action>}`. The first rule that
matches a request and has uses left is consumed; the others wait their turn. Actions:
status (answer an error without processing), delay (answer late), drop (close the socket, no
answer), accept_then_hang (process, then answer late), accept_then_status (process, then answer an
error) — the last two are the ambiguous cases where the upstream accepted work the client never
heard about.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

ACTIONS = ("status", "delay", "drop", "accept_then_hang", "accept_then_status")


@dataclass
class Rule:
    id: int
    method: str | None
    path: str | None
    key: str | None
    times: int  # uses left; -1 = forever
    action: str
    value: Any  # the action's argument: a status, seconds, or True for drop
    retry_after: float | None = None
    body: Any = None  # replaces the dialect's default error body
    applied: int = 0

    def matches(self, method: str, path: str, key: str | None) -> bool:
        if self.times == 0:
            return False
        if self.method and self.method != method:
            return False
        if self.key is not None and self.key != key:
            return False
        if self.path:
            if self.path.endswith("*"):
                return path.startswith(self.path[:-1])
            return path == self.path
        return True

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "id": self.id,
            "match": {"method": self.method, "path": self.path, "key": self.key},
            "times": self.times,
            "applied": self.applied,
            self.action: self.value,
        }
        if self.retry_after is not None:
            described["retry_after"] = self.retry_after
        if self.body is not None:
            described["body"] = self.body
        return described

    @property
    def label(self) -> str:
        """How the request log names the fault applied."""
        return f"{self.action}:{self.value}" if self.action != "drop" else "drop"


def _seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or not math.isfinite(value):
        raise ValueError(f"{name}: must be a number of seconds >= 0")
    return float(value)


def _status(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise ValueError(f"{name}: must be an HTTP status code")
    return value


def parse_rule(raw: Any, rule_id: int) -> Rule:
    if not isinstance(raw, dict):
        raise ValueError("each rule must be a JSON object")
    match = raw.get("match", {})
    if not isinstance(match, dict):
        raise ValueError("match: must be an object")
    unknown = set(match) - {"method", "path", "key"}
    if unknown:
        raise ValueError(f"match: unknown field {sorted(unknown)[0]}")
    for name in ("method", "path", "key"):
        if match.get(name) is not None and not isinstance(match[name], str):
            raise ValueError(f"match.{name}: must be a string")
    actions = [name for name in ACTIONS if name in raw]
    if len(actions) != 1:
        raise ValueError(f"a rule needs exactly one action of {', '.join(ACTIONS)}")
    action = actions[0]
    unknown = set(raw) - {"match", "times", "retry_after", "body", action}
    if unknown:
        raise ValueError(f"unknown rule field {sorted(unknown)[0]}")
    times = raw.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < -1 or times == 0:
        raise ValueError("times: must be an integer >= 1, or -1 for forever")
    value = raw[action]
    if action in ("status", "accept_then_status"):
        value = _status(action, value)
    elif action == "drop":
        if value is not True:
            raise ValueError("drop: must be true")
    else:
        value = _seconds(action, value)
    retry_after = raw.get("retry_after")
    if retry_after is not None:
        retry_after = _seconds("retry_after", retry_after)
    method = match.get("method")
    return Rule(
        rule_id,
        method.upper() if method else None,
        match.get("path"),
        match.get("key"),
        times,
        action,
        value,
        retry_after,
        raw.get("body"),
    )


class FaultBook:
    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self._next_id = 1

    def add(self, raws: Any) -> list[Rule]:
        """All-or-nothing: one bad rule rejects the whole batch."""
        if not isinstance(raws, list):
            raise ValueError("rules: must be a list")
        parsed = [parse_rule(raw, self._next_id + index) for index, raw in enumerate(raws)]
        self._next_id += len(parsed)
        self.rules.extend(parsed)
        return parsed

    def take(self, method: str, path: str, key: str | None) -> Rule | None:
        for rule in self.rules:
            if rule.matches(method, path, key):
                if rule.times > 0:
                    rule.times -= 1
                rule.applied += 1
                return rule
        return None

    def clear(self) -> None:
        self.rules.clear()
