"""How an upstream call can go wrong, sorted by what Reelay may do about it."""

from __future__ import annotations

from typing import Any


class UpstreamError(Exception):
    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


class NotAccepted(UpstreamError):
    """The upstream surely did not take the task (429, 5xx before reading it, refused connection):
    another channel may be tried."""


class Rejected(UpstreamError):
    """The upstream refused the request itself (400, 401, 404): retrying cannot help."""


class Ambiguous(UpstreamError):
    """The request may have been accepted (timeout after sending, 504): never resubmit blindly.

    Raised out of an engine's `start`, it carries the engine's state to keep (its attempt,
    marked for reconciling): the engine owns that state, placement only stores it."""

    def __init__(self, message: str, *, status: int | None = None, state: dict[str, Any] | None = None) -> None:
        super().__init__(message, status=status)
        self.state = state


class ResultExpired(UpstreamError):
    """A result URL no longer answers (expired or gone): read the upstream task again."""
