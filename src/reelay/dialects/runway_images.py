"""Runway's image endpoints in the official dialect: POST /v1/text_to_image and /v1/image_upscale
(and under /runwayml/v1). Their tasks are read, deleted and called back like any other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from reelay.domain import catalogue
from reelay.domain.request import GenerationRequest

from .runway_images_request import parse_image_upscale, parse_text_to_image
from .runway_v1 import PREFIXES, _create, creates

router = APIRouter()
SANDBOX_HEADER = "x-reelay-sandbox"


def _with_markers(
    parse: Callable[[dict[str, Any]], GenerationRequest], request: Request
) -> Callable[[dict[str, Any]], GenerationRequest]:
    """The parser, with the sandbox markers of the X-Reelay-Sandbox header kept on the request
    (an upscale has no prompt to carry them)."""
    header = request.headers.get(SANDBOX_HEADER, "").strip()
    return lambda body: replace(parse(body), markers=header or None)


for prefix in PREFIXES:

    @router.post(f"{prefix}/text_to_image", **creates(catalogue.TEXT_TO_IMAGE))
    async def text_to_image(request: Request) -> JSONResponse:
        return await _create(request, _with_markers(parse_text_to_image, request), "text_to_image")

    @router.post(f"{prefix}/image_upscale", **creates(catalogue.IMAGE_UPSCALE))
    async def image_upscale(request: Request) -> JSONResponse:
        return await _create(request, _with_markers(parse_image_upscale, request), "image_upscale")
