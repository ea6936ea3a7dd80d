"""Errors the service raises; each dialect renders them in its own shape.

Every error carries a stable reason word (the pro dialect's `msg` prefix) and a sentence that
names the field, so a client can tell what to fix without reading our code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Literal


class ReelayError(Exception):
    status_code = 500
    reason = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


_HEADER_NAME = re.compile(r"[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)+")


class Problem(StrEnum):
    """What is wrong with a field, for dialects that classify it (Runway's validation issues)."""

    INVALID = "invalid"  # any other rule about the value (the default)
    UNKNOWN = "unknown"  # a field this request may not carry
    MISSING = "missing"  # a required field is absent
    WRONG_TYPE = "wrong_type"  # a value of the wrong JSON type
    NOT_ALLOWED = "not_allowed"  # not one of the allowed values (`allowed`)
    TOO_SMALL = "too_small"  # below `limit`: a number, or a length or count
    TOO_BIG = "too_big"  # above `limit`
    FORMAT = "format"  # a string not in the required format (a URL, a date)


class InputError(ReelayError):
    """The client sent something we cannot use. `field` is the wire name: a dotted path into the
    body (`promptImage.1.position`; `promptImage[1].position` also reads), a query parameter or a
    header, as `location` says (by default a header when `field` is spelled like one); `body`
    itself means the body as a whole. `problem`, `allowed` and `limit` describe the failure for
    dialects that classify it (Runway's issue codes); the message is for people."""

    status_code = 400
    reason = "invalid_parameters"

    def __init__(
        self,
        field: str,
        message: str,
        *,
        reason: str | None = None,
        problem: Problem = Problem.INVALID,
        allowed: Sequence[object] | None = None,
        limit: float | None = None,
        location: Literal["body", "query", "header"] | None = None,
    ) -> None:
        super().__init__(f"{field}: {message}", field=field)
        if reason:
            self.reason = reason
        self.problem = problem
        self.allowed = tuple(allowed) if allowed is not None else None
        self.limit = limit
        # Headers are named as sent (X-Runway-Version, Idempotency-Key), which no body field is.
        self.location = location or ("header" if _HEADER_NAME.fullmatch(field) else "body")

    @property
    def issues(self) -> tuple[InputError, ...]:
        """Every problem found; a single error is its own one issue."""
        return (self,)


class InputErrors(InputError):
    """Several problems with one request, in the order they were found. It reads as its first
    (field, message, problem), so a dialect that names one field names that one; a dialect
    that lists every issue (Runway's) reads `issues`."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        first = errors[0]
        super().__init__(
            first.field or "body",
            first.message.split(": ", 1)[-1],
            reason=first.reason,
            problem=first.problem,
            allowed=first.allowed,
            limit=first.limit,
            location=first.location,
        )
        self.message = first.message
        self._issues = tuple(issue for error in errors for issue in error.issues)

    @property
    def issues(self) -> tuple[InputError, ...]:
        return self._issues


def raise_all(errors: Sequence[InputError]) -> None:
    """Raise what `errors` found, one error as itself and several together; nothing if empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


class CallbackUrlEmpty(InputError):
    def __init__(self) -> None:
        super().__init__("callback_url", "is required and must not be empty", reason="callback_url_empty")


class BadRequest(ReelayError):
    """A request refused as a whole (not one field of it), e.g. a missing version header."""

    status_code = 400
    reason = "invalid_parameters"


class Unauthorized(ReelayError):
    status_code = 401
    reason = "unauthorized"


class Forbidden(ReelayError):
    status_code = 403
    reason = "forbidden"


class TaskNotFound(ReelayError):
    status_code = 404
    reason = "task_not_exist"

    def __init__(self, task_id: str) -> None:
        super().__init__(f"Task {task_id} does not exist, was deleted, or belongs to another key.")


class IdempotencyConflict(ReelayError):
    status_code = 409
    reason = "idempotency_conflict"


class TaskNotFinished(ReelayError):
    """A delete that only removes finished tasks, asked of a live one."""

    status_code = 409
    reason = "task_not_finished"

    def __init__(self, task_id: str) -> None:
        super().__init__(f"Task {task_id} is still being generated; it can be deleted once it has finished.")


class EngineUnavailable(ReelayError):
    status_code = 503
    reason = "engine_unavailable"


class InsufficientPoints(ReelayError):
    status_code = 402
    reason = "insufficient_points"


class RateLimited(ReelayError):
    status_code = 429
    reason = "rate_limited"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(max(1, int(retry_after + 0.999)))}
