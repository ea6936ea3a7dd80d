"""Tasks whose output follows an input video: its length, and for a restyle its shape.

Act-Two (`character_performance`, and the pro family's `act_one`/`act_two`) plays the
reference performance for as long as it lasts; the pro family's `video2video` and `aleph`
restyle the source video for its own length, at most the route's limit. What such a task
costs and renders is known only once its video is probed, so submission fits the request to
its inputs (`fit_to_footage`) before pricing it.
"""

from __future__ import annotations

import math
from dataclasses import replace

from .request import REFERENCE, VIDEO, GenerationRequest, MediaRef

CHARACTER_PERFORMANCE = "character_performance"  # Runway's endpoint (model act_two)
PRO_ACT_ONE = "act_one"
PRO_ACT_TWO = "act_two"
PRO_VIDEO_TO_VIDEO = "video_to_video"  # the pro family's /pro/video2video
PRO_ALEPH = "aleph"
PERFORMANCE_KINDS = (CHARACTER_PERFORMANCE, PRO_ACT_ONE, PRO_ACT_TWO)
PRO_RESTYLE_KINDS = (PRO_VIDEO_TO_VIDEO, PRO_ALEPH)

# Runway's reference performance: "must be between 3 and 30 seconds in duration".
REFERENCE_SECONDS = (3.0, 30.0)
# Sizes a restyle is rendered at: Runway's video sizes; the one nearest the source's aspect.
RESTYLE_SIZES = ((1280, 720), (720, 1280), (960, 960), (1104, 832), (832, 1104), (1584, 672))
SLACK = 0.05  # seconds: a container's rounding, not a longer video


def follows_footage(request: GenerationRequest) -> bool:
    """Whether the request is one whose output the sandbox renders from an input video."""
    if request.kind in PERFORMANCE_KINDS:
        return request.kind == CHARACTER_PERFORMANCE or request.dialect == "pro"
    return request.kind in PRO_RESTYLE_KINDS and request.dialect == "pro"


def driving_video(request: GenerationRequest) -> MediaRef | None:
    """The video the output follows: the performance for Act-Two, the source for a restyle."""
    found = request.input_for(REFERENCE if request.kind in PERFORMANCE_KINDS else VIDEO)
    return found if isinstance(found, MediaRef) else None


def fit_to_footage(request: GenerationRequest) -> GenerationRequest:
    """The request with the seconds (and, for a restyle with no size of its own, the size) its
    probed driving video gives, at most `extras["most_seconds"]`; unchanged when it follows no
    video."""
    video = driving_video(request) if follows_footage(request) else None
    if video is None or video.duration is None:
        return request
    seconds = max(1, math.ceil(video.duration - SLACK))
    most_seconds = request.extras.get("most_seconds")
    if isinstance(most_seconds, int):
        seconds = min(seconds, most_seconds)
    width, height = request.width, request.height
    if not (width and height) and video.width and video.height:
        width, height = nearest_size(video.width / video.height)
    return replace(request, seconds=seconds, width=width, height=height)


def nearest_size(aspect: float) -> tuple[int, int]:
    return min(RESTYLE_SIZES, key=lambda size: abs(math.log(size[0] / size[1] / aspect)))
