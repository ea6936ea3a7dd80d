"""The output a video-in request asks for, once its input video is probed: the size and length
that follow the input (the parser leaves them 0), so that pricing and the engine see real numbers."""

from __future__ import annotations

import math
from dataclasses import replace

from reelay.domain import catalogue
from reelay.domain.request import VIDEO, GenerationRequest, MediaRef

# video_upscale's resolutions: the output's shorter side (Runway's default: 2k).
UPSCALE_SIDES = {"720p": 720, "1k": 1080, "2k": 1440, "4k": 2160}
UPSCALE_DEFAULT = "2k"
# targetAspectRatio (aleph2's outpainting): the output keeps the input's shorter side.
ASPECTS = {"16:9": (16, 9), "4:3": (4, 3), "3:2": (3, 2), "1:1": (1, 1), "2:3": (2, 3), "3:4": (3, 4),
           "9:16": (9, 16), "21:9": (21, 9)}  # fmt: skip


def fit_to_input(request: GenerationRequest) -> GenerationRequest:
    """`request` with its output size and seconds taken from its probed input video, where the
    body left them to the input. A request without an input video is returned as it is."""
    video = request.input_for(VIDEO)
    if request.kind not in (catalogue.VIDEO_TO_VIDEO, catalogue.VIDEO_UPSCALE) or not isinstance(video, MediaRef):
        return request
    width, height = request.width, request.height
    if not width or not height:
        width, height = _size(request, video.width or 1280, video.height or 720)
    seconds = request.seconds or max(1, math.ceil((video.duration or 1.0) - 0.02))
    return replace(request, width=width, height=height, seconds=seconds)


def _size(request: GenerationRequest, width: int, height: int) -> tuple[int, int]:
    extras = request.extras
    if request.kind == catalogue.VIDEO_UPSCALE and request.model != "enhance_frame_rate":
        side = UPSCALE_SIDES[extras.get("resolution") or UPSCALE_DEFAULT]
        scale = side / min(width, height)
        return _even(width * scale), _even(height * scale)
    aspect = ASPECTS.get(extras.get("targetAspectRatio") or "")
    if aspect is not None:
        short = min(width, height)
        if aspect[0] >= aspect[1]:
            return _even(short * aspect[0] / aspect[1]), _even(short)
        return _even(short), _even(short * aspect[1] / aspect[0])
    return _even(width), _even(height)


def _even(value: float) -> int:
    return max(16, 2 * round(value / 2))
