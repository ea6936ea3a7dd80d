"""Runway's image endpoints in the official dialect: POST /v1/text_to_image and /v1/image_upscale
(and under /runwayml/v1). Their tasks are read, deleted and called back like any other."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .runway_images_request import parse_image_upscale, parse_text_to_image
from .runway_v1 import PREFIXES, _create

router = APIRouter()

for prefix in PREFIXES:

    @router.post(f"{prefix}/text_to_image")
    async def text_to_image(request: Request) -> JSONResponse:
        return await _create(request, parse_text_to_image, "text_to_image")

    @router.post(f"{prefix}/image_upscale")
    async def image_upscale(request: Request) -> JSONResponse:
        return await _create(request, parse_image_upscale, "image_upscale")
