"""From a video-in task (video_to_video, video_upscale) to the sandbox's render job for it."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from reelay.domain import catalogue
from reelay.domain.request import OFFICIAL_SHAPED, GenerationRequest

from . import markers
from .video_render import FRAME_RATE, RESTYLE, UPSCALE, VideoJob

VIDEO_IN_KINDS = (catalogue.VIDEO_TO_VIDEO, catalogue.VIDEO_UPSCALE)
# enhance_frame_rate's targets that are not whole numbers: NTSC's rates.
NTSC = {"23_98": Fraction(24000, 1001), "29_97": Fraction(30000, 1001), "59_94": Fraction(60000, 1001)}


def is_video_in(request: GenerationRequest) -> bool:
    """Runway's video_to_video or video_upscale; the pro family's video2video (kind
    video_to_video too) is a restyle of its own (domain.footage)."""
    return request.kind in VIDEO_IN_KINDS and request.dialect in OFFICIAL_SHAPED


def video_job(request: GenerationRequest, source: str, width: int, height: int, out_dir: str, seed: int) -> VideoJob:
    job = VideoJob(UPSCALE, source=source, width=width, height=height, out_dir=out_dir, seed=seed)
    if request.kind == catalogue.VIDEO_TO_VIDEO:
        return replace(job, mode=RESTYLE, seconds=request.seconds, prompt=markers.strip(request.prompt))
    if request.model == "enhance_frame_rate":
        return replace(job, mode=FRAME_RATE, fps=target_rate(request.extras["targetFramerate"]))
    job = replace(job, boost=bool(request.extras.get("fpsBoost")))
    sharpen = request.extras.get("sharpen")
    return job if sharpen is None else replace(job, sharpen=sharpen)


def target_rate(value: str) -> Fraction:
    """enhance_frame_rate's targetFramerate: "60" → 60, "29_97" → 30000/1001."""
    return NTSC.get(value) or Fraction(int(value))
