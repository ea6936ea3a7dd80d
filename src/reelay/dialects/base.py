"""A dialect: one public API shape. It translates and nothing else: its routes turn requests
into the service's calls, its task object and error shape turn the answers back."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from reelay.dialects.hot import plain_routes
from reelay.domain.errors import ReelayError
from reelay.domain.task import Task


@dataclass(frozen=True, eq=False)
class Dialect:
    name: str  # as a task's request records it (GenerationRequest.dialect)
    router: APIRouter
    # The task as this API shows it, given its results' URLs by storage key.
    task_object: Callable[[Task, dict[str, str]], dict[str, Any]]
    error_response: Callable[[ReelayError], JSONResponse]
    # The paths this API owns: an unknown path or a wrong method under them is answered in its shape.
    prefixes: tuple[str, ...] = ()
    # The busiest routes (status reads, creates): served as plain Starlette routes (dialects/hot.py).
    hot: tuple[str, ...] = ()
    # A callback's body, when it is not the task object itself (OpenAI's webhook events).
    event_object: Callable[[Task, dict[str, str]], dict[str, Any]] | None = None

    def owns(self, path: str) -> bool:
        return self.claim(path) > 0

    def claim(self, path: str) -> int:
        """How specific this dialect's hold on `path` is: its longest prefix that holds it, 0 for none."""
        return max(
            (len(prefix) for prefix in self.prefixes if path == prefix or path.startswith(prefix.rstrip("/") + "/")),
            default=0,
        )

    def install(self, app: FastAPI) -> None:
        """Serve the routes; an error on any of them is answered in this dialect's shape."""

        async def mark(request: Request) -> None:
            request.state.dialect = self

        app.include_router(self.router, dependencies=[Depends(mark)])
        app.router.routes[0:0] = plain_routes(self.router, self.hot, self)


def dialect_of(request: Request, dialects: Iterable[Dialect], default: Dialect) -> Dialect:
    """The dialect whose route is answering the request; before any route was found (an unknown
    path, a wrong method), the one that owns the path most specifically (/v1/videos/... is
    OpenAI's inside Runway's /v1); else `default`."""
    found = getattr(request.state, "dialect", None)
    if found is not None:
        return found
    path = request.url.path
    best = max(dialects, key=lambda dialect: dialect.claim(path), default=None)
    return best if best is not None and best.claim(path) > 0 else default
