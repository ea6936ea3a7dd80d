"""What both dialects share: reading the body, the caller's key, the version header."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from reelay.domain.errors import InputError, Problem, RateLimited
from reelay.service.auth import authenticate
from reelay.store.keys import ApiKey

RUNWAY_VERSION = "2024-11-06"


def services(request: Request):
    return request.app.state.reelay


# The console calls the API in-process as its signed-in key (console/playground.py): the key rides
# in the ASGI scope, where no network client can put anything (only headers and the body travel).
CONSOLE_KEY = "reelay.console_key"


async def caller(request: Request) -> ApiKey:
    """The calling key (the console's in-process key, else the Authorization header's), after its
    requests-per-second limit."""
    reelay = services(request)
    console_key = request.scope.get(CONSOLE_KEY)
    if isinstance(console_key, ApiKey):
        key = console_key
    else:
        key = await authenticate(reelay.keys, request.headers.get("authorization"))
    if key.limits.rate_limit_per_second:
        wait = await reelay.limiter.hit(key.id, key.limits.rate_limit_per_second)
        if wait is not None:
            raise RateLimited(
                f"Authorization: this key may make {key.limits.rate_limit_per_second:g} requests per second.",
                retry_after=wait,
            )
    return key


def retry_count(request: Request) -> int:
    """Which retry this request is, as Runway's SDKs count (`x-stainless-retry-count`: 0 on the
    first attempt, 1.. on retries); 0 when absent or not a number."""
    try:
        return max(0, int(request.headers.get("x-stainless-retry-count", "0")))
    except ValueError:
        return 0


def check_version(request: Request) -> None:
    version = request.headers.get("x-runway-version")
    if version is not None and version != RUNWAY_VERSION:
        raise InputError("X-Runway-Version", f"must be {RUNWAY_VERSION} when given, not {version!r}")


# Runway's bodies nest four levels at most; far deeper nesting exhausts the parser's recursion.
MAX_DEPTH = 64
# Python's default int parsing limit, stated here so the answer names it (parsing longer ints is quadratic).
MAX_DIGITS = 4300
_TOO_DEEP = f"is nested too deeply (more than {MAX_DEPTH} levels)"


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        raise InputError("body", "a JSON object is required")
    try:
        body = json.loads(raw, parse_constant=_no_constants, parse_int=_int, parse_float=_float)
    except RecursionError:
        raise InputError("body", _TOO_DEEP) from None
    except ValueError as error:  # UnicodeDecodeError included
        raise InputError("body", f"is not valid JSON ({error})") from None
    _check_values(body)  # first, so the answer to deep nesting does not depend on the recursion limit
    if not isinstance(body, dict):
        raise InputError("body", "must be a JSON object", problem=Problem.WRONG_TYPE)
    return body


def _no_constants(name: str):
    # NaN and Infinity are not JSON; Python's parser would accept them.
    raise ValueError(f"{name} is not a JSON value")


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise InputError("body", f"has a number with more than {MAX_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as inf
        shown = text if len(text) <= 24 else text[:20] + "…"
        raise InputError("body", f"has a number out of range ({shown} is not a finite number)")
    return value


def _check_values(body: Any) -> None:
    """Depth, and strings no database stores (NUL, a lone surrogate), walked without recursion."""
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise InputError("body", "has a string with a NUL character (\\u0000)")
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise InputError(
                        "body", "has a string with a lone surrogate (\\ud800-\\udfff), which is not text"
                    ) from None
            continue
        if isinstance(value, dict):
            children = [*value, *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise InputError("body", _TOO_DEEP)
        pending.extend((child, depth + 1) for child in children)


def query_text(request: Request, name: str) -> str | None:
    """A query parameter as text; NUL, which no database stores, is refused."""
    value = request.query_params.get(name)
    if value is not None and "\x00" in value:
        raise InputError(name, "must not contain a NUL character", location="query")
    return value


def base_url(request: Request) -> str:
    configured = services(request).settings.public_url
    return configured.rstrip("/") if configured else str(request.base_url).rstrip("/")


def input_error(error: ValidationError, *, unknown_field: str = "is not a known field") -> InputError:
    """The first pydantic error as an InputError naming the field in its wire spelling."""
    errors = error.errors()
    # In a union the deepest error is the one about what the client meant to send.
    first = max(errors, key=lambda e: len(e["loc"]))
    field = _field_path(first["loc"]) or "body"
    kind = first["type"]
    if kind == "extra_forbidden":
        return InputError(field, unknown_field, problem=Problem.UNKNOWN)
    if kind == "missing":
        return InputError(field, "is required", problem=Problem.MISSING)
    message = first["msg"]
    if kind.startswith("literal_error"):
        message = message.replace("Input should be", "must be")
    message = message[0].lower() + message[1:] if message else "is not valid"
    context = first.get("ctx") or {}
    if kind.startswith("literal_error"):
        return InputError(field, message, problem=Problem.NOT_ALLOWED, allowed=_literals(context.get("expected", "")))
    for suffix, problem, bound in _BOUNDS:
        if kind.endswith(suffix):
            return InputError(field, message, problem=problem, limit=_number(context.get(bound)))
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return InputError(field, message, problem=Problem.WRONG_TYPE)
    return InputError(field, message)


# pydantic's error types that bound a value, with the bound in their context.
_BOUNDS = (
    ("greater_than_equal", Problem.TOO_SMALL, "ge"),
    ("greater_than", Problem.TOO_SMALL, "gt"),
    ("less_than_equal", Problem.TOO_BIG, "le"),
    ("less_than", Problem.TOO_BIG, "lt"),
    ("too_short", Problem.TOO_SMALL, "min_length"),
    ("too_long", Problem.TOO_BIG, "max_length"),
)


def _literals(expected: str) -> list[Any]:
    # pydantic spells the allowed literals as "'first' or 'last'", numbers as "5 or 10".
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
    if quoted:
        return quoted
    return [int(part) if part.lstrip("-").isdigit() else part for part in re.split(r", | or ", expected) if part]


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _field_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and not _is_union_tag(part):
            path += ("." if path else "") + part
    return path


def _is_union_tag(part: str) -> bool:
    # pydantic puts the union member's type name into loc ("str", "list[...]", "function-after[...]").
    return part in ("str", "int", "float", "bool") or "[" in part
