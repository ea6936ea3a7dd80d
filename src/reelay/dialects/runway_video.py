"""Runway's video-in routes: POST video_to_video and video_upscale, under each official prefix.

They create tasks exactly as image_to_video does (`create`, from runway_v1): charged, limited,
called back, and read back from GET /v1/tasks/{id}.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from reelay.domain import catalogue

from .runway_video_request import parse_video_to_video, parse_video_upscale

Create = Callable[[Request, Callable[[dict[str, Any]], Any], str], Awaitable[JSONResponse]]


def install_video_routes(
    router: APIRouter, prefixes: Iterable[str], create: Create, documented: Callable[[str], dict[str, Any]]
) -> None:
    """`documented(endpoint)`: the route's body and answers for /openapi.json."""
    for prefix in prefixes:
        for endpoint, parse in (
            (catalogue.VIDEO_TO_VIDEO, parse_video_to_video),
            (catalogue.VIDEO_UPSCALE, parse_video_upscale),
        ):
            router.add_api_route(
                f"{prefix}/{endpoint}", _route(create, parse, endpoint), methods=["POST"], **documented(endpoint)
            )


def _route(create: Create, parse: Callable[[dict[str, Any]], Any], endpoint: str):
    async def route(request: Request) -> JSONResponse:
        return await create(request, parse, endpoint)

    route.__name__ = endpoint
    return route
