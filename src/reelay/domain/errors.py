"""Errors the service raises; each dialect renders them in its own shape.

Every error carries a stable reason word (the pro dialect's `msg` prefix) and a sentence that
names the field, so a client can tell what to fix without reading our code.
"""

from __future__ import annotations


class ReelayError(Exception):
    status_code = 500
    reason = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InputError(ReelayError):
    """The client sent something we cannot use. `field` is the dotted wire name."""

    status_code = 400
    reason = "invalid_parameters"

    def __init__(self, field: str, message: str, *, reason: str | None = None) -> None:
        super().__init__(f"{field}: {message}", field=field)
        if reason:
            self.reason = reason


class CallbackUrlEmpty(InputError):
    def __init__(self) -> None:
        super().__init__("callback_url", "is required and must not be empty", reason="callback_url_empty")


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
