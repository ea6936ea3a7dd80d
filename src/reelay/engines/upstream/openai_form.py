"""The create form of an `openai-videos` channel: a Reelay request as OpenAI's /v1/videos takes it.

`prompt`, `model` (the channel's name for it), `seconds` (a string), `size` ("WxH"), `seed` when
given (vLLM-Omni honours it), and the first image as the `input_reference` file part: Reelay's
verified copy, so the upstream never has to reach Reelay or the client's URL.

Sizes: a Runway ratio goes as the size of its aspect in DEFAULT_SIZES, the nearest aspect for a
ratio not listed, unless the channel's `sizes` names the ratio as given ("1280:720", "16:9")
or its aspect. The defaults are Runway's own gen4_turbo/gen3a_turbo sizes: multiples of 16 at
about 0.92 megapixels, which is Wan 720P's pixel budget, so a Wan 2.1/2.2 14B server renders them
as they are; a 480P or a TI2V-5B server gets its sizes from `sizes` (docs/openai-videos.md).
"""

from __future__ import annotations

import math
from typing import Any

from reelay.config import ChannelConfig
from reelay.domain import catalogue
from reelay.domain.artifacts import MediaKind
from reelay.domain.request import FIRST, GenerationRequest, MediaRef
from reelay.storage.base import Storage

from .http import FilePart, FormField

# Aspect -> the size sent for it.
DEFAULT_SIZES: dict[str, str] = {
    "16:9": "1280x720",
    "9:16": "720x1280",
    "5:3": "1280x768",
    "3:5": "768x1280",
    "4:3": "1104x832",
    "3:4": "832x1104",
    "1:1": "960x960",
    "21:9": "1584x672",
    "9:21": "672x1584",
}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


def aspect_of(width: int, height: int) -> str:
    """The DEFAULT_SIZES aspect nearest to width:height (by the log of the ratio: 2:1 and 1:2
    are as far from 1:1)."""

    def distance(aspect: str) -> float:
        wide, tall = (int(part) for part in aspect.split(":"))
        return abs(math.log(width / height) - math.log(wide / tall))

    return min(DEFAULT_SIZES, key=distance)


def size_for(request: GenerationRequest, overrides: dict[str, str]) -> str:
    aspect = aspect_of(request.width, request.height)
    return overrides.get(request.ratio) or overrides.get(aspect) or DEFAULT_SIZES[aspect]


def seconds_for(seconds: int, durations: tuple[int, ...]) -> int:
    """The nearest length the upstream takes; between two as near, the longer (a client that asked
    for 10 s on a 4/8/12 s upstream gets 12, not a clip shorter than it paid for)."""
    if not durations:
        return seconds
    return min(durations, key=lambda d: (abs(d - seconds), -d))


def model_for(request: GenerationRequest, config: ChannelConfig) -> str:
    """The channel's name for the model (empty: send none, the server serves its own)."""
    return config.model_map.get(request.model) or config.model_map.get(request.engine_model) or config.upstream_model


def sendable(request: GenerationRequest) -> bool:
    """Whether the form carries all of the request: text, or text and a first frame; never a last
    frame, references or other media the OpenAI shape has no field for."""
    if request.kind not in catalogue.VIDEO_KINDS:
        return False
    if any(item.role != FIRST or item.kind != MediaKind.IMAGE for item in request.inputs):
        return False
    # An official body's media the request does not carry as inputs (references, a middle frame).
    return not any(_carries_media(value) for value in request.extras.values())


def _carries_media(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith(("https://", "http://", "data:", "runway://"))
    if isinstance(value, dict):
        return any(_carries_media(item) for item in value.values())
    if isinstance(value, list):
        return any(_carries_media(item) for item in value)
    return False


async def create_form(request: GenerationRequest, config: ChannelConfig, storage: Storage) -> list[FormField]:
    form: list[FormField] = [("prompt", request.prompt or "")]
    model = model_for(request, config)
    if model:
        form.append(("model", model))
    form.append(("seconds", str(seconds_for(request.seconds, config.durations))))
    form.append(("size", size_for(request, config.sizes)))
    if request.seed is not None:
        form.append(("seed", str(request.seed)))
    first = request.first_image
    if first is not None:
        assert isinstance(first, MediaRef), "a stored task's inputs are fetched"
        data = await storage.get_bytes(first.key)
        name = f"first.{EXTENSIONS.get(first.content_type, 'bin')}"
        form.append(("input_reference", FilePart(data, name, first.content_type)))
    return form
