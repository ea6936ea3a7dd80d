"""The web console at /console: server-rendered pages over the same stores as the API.

`router` is what `reelay serve` includes. Sign-in with an API key gives a session cookie; the
admin key sees everything, a client key its own tasks, its own usage and the playground.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from . import channels, keys, playground, signin, tasks, usage
from .render import ConsoleRoute, NotFoundPage

__all__ = ["router"]

router = APIRouter()
for part in (signin, tasks, keys, channels, usage, playground):
    router.include_router(part.router)

_rest = APIRouter(prefix="/console", route_class=ConsoleRoute)


@_rest.api_route("/{rest:path}", methods=["GET", "HEAD", "POST"], include_in_schema=False)
async def not_found(rest: str, request: Request) -> Response:
    """Any other path under /console: an HTML 404 page, not a dialect's JSON."""
    raise NotFoundPage()


router.include_router(_rest)
