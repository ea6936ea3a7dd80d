"""What both dialects share: reading the body, the caller's key, the version header."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from reelay.domain.errors import InputError, RateLimited
from reelay.service.auth import authenticate
from reelay.store.keys import ApiKey

RUNWAY_VERSION = "2024-11-06"


def services(request: Request):
    return request.app.state.reelay


async def caller(request: Request) -> ApiKey:
    """The calling key, after its requests-per-second limit."""
    reelay = services(request)
    key = await authenticate(reelay.keys, request.headers.get("authorization"))
    if key.limits.rate_limit_per_second:
        wait = await reelay.limiter.hit(key.id, key.limits.rate_limit_per_second)
        if wait is not None:
            raise RateLimited(
                f"Authorization: this key may make {key.limits.rate_limit_per_second:g} requests per second.",
                retry_after=wait,
            )
    return key


def check_version(request: Request) -> None:
    version = request.headers.get("x-runway-version")
    if version is not None and version != RUNWAY_VERSION:
        raise InputError("X-Runway-Version", f"must be {RUNWAY_VERSION} when given, not {version!r}")


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        raise InputError("body", "a JSON object is required")
    try:
        body = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError("body", f"is not valid JSON ({error})") from None
    if not isinstance(body, dict):
        raise InputError("body", "must be a JSON object")
    return body


def _no_constants(name: str):
    # NaN and Infinity are not JSON; Python's parser would accept them.
    raise ValueError(f"{name} is not a JSON value")


def base_url(request: Request) -> str:
    configured = services(request).settings.public_url
    return configured.rstrip("/") if configured else str(request.base_url).rstrip("/")


def input_error(error: ValidationError, *, unknown_field: str = "is not a known field") -> InputError:
    """The first pydantic error as an InputError naming the field in its wire spelling."""
    errors = error.errors()
    # In a union the deepest error is the one about what the client meant to send.
    first = max(errors, key=lambda e: len(e["loc"]))
    field = _field_path(first["loc"]) or "body"
    if first["type"] == "extra_forbidden":
        return InputError(field, unknown_field)
    if first["type"] == "missing":
        return InputError(field, "is required")
    message = first["msg"]
    if first["type"].startswith("literal_error"):
        message = message.replace("Input should be", "must be")
    return InputError(field, message[0].lower() + message[1:] if message else "is not valid")


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
