"""Runway's video-in endpoints, video_to_video and video_upscale: their bodies, translated.

Each model's rules are its catalogue row (checked by `catalogue.check_body`). The input video is a
typed input (kind video, role video), fetched and probed at submission under the endpoint's own
length limit; reference and keyframe images are image inputs. The output's size and length that
follow the input (`width`/`height`/`seconds` left 0) are filled in once it is probed
(`service/outputs.py`).
"""

from __future__ import annotations

from typing import Any

from reelay.domain import catalogue
from reelay.domain.artifacts import MediaKind
from reelay.domain.errors import InputError, Problem
from reelay.domain.request import REFERENCE, VIDEO, GenerationRequest, MediaInput

# Runway refuses longer input videos (reference/runway-surface.md: video_upscale ≤ 30 s, and
# character_performance's reference video 3–30 s); the same bound is kept for video_to_video.
MAX_INPUT_SECONDS = {catalogue.VIDEO_TO_VIDEO: 30.0, catalogue.VIDEO_UPSCALE: 30.0}
MAX_OUTPUT_SECONDS = 30
# Fields the request carries itself; every other given field travels in `extras` for an upstream.
_CARRIED = {"model", "promptText", "seed"}


def parse_video_to_video(body: dict[str, Any]) -> GenerationRequest:
    return _parse(catalogue.VIDEO_TO_VIDEO, body)


def parse_video_upscale(body: dict[str, Any]) -> GenerationRequest:
    return _parse(catalogue.VIDEO_UPSCALE, body)


def _parse(endpoint: str, body: dict[str, Any]) -> GenerationRequest:
    spec = catalogue.checked_row(endpoint, body)
    field = "videoUri" if "videoUri" in spec.fields else "promptVideo"
    if body.get(field) is None:
        raise InputError(field, "is required", problem=Problem.MISSING)
    video = MediaInput(body[field], field, kind=MediaKind.VIDEO, role=VIDEO, max_seconds=MAX_INPUT_SECONDS[endpoint])
    extras = {name: value for name, value in body.items() if value is not None and name not in _CARRIED}
    width = height = 0  # follow the input video
    ratio = body.get("ratio") if isinstance(body.get("ratio"), str) else None
    if ratio and ratio != "adaptive" and not ratio.startswith("auto_"):
        width, height = catalogue.output_size(ratio, body.get("resolution"))
    duration = body.get("duration")
    if isinstance(duration, int) and duration > MAX_OUTPUT_SECONDS:
        # gemini_omni_flash_1.1 gives its duration no bound: Reelay keeps one, as for its inputs.
        raise InputError(
            "duration", f"must be at most {MAX_OUTPUT_SECONDS}", problem=Problem.TOO_BIG, limit=MAX_OUTPUT_SECONDS
        )
    return GenerationRequest(
        dialect="runway",
        kind=endpoint,
        model=spec.model,
        engine_model=spec.model,
        ratio=ratio or "",
        width=width,
        height=height,
        seconds=duration if isinstance(duration, int) else 0,  # 0: the input's length
        prompt=body.get("promptText"),
        inputs=(video, *_images(body)),
        seed=body.get("seed"),
        extras=extras,
    )


def _images(body: dict[str, Any]) -> list[MediaInput]:
    """Reference and keyframe images, each fetched and proved an image at submission."""
    found = []
    references = body.get("references")
    if isinstance(references, str):
        found.append(MediaInput(references, "references", role=REFERENCE))
    elif isinstance(references, list):
        found += [MediaInput(item["uri"], f"references.{i}.uri", role=REFERENCE) for i, item in enumerate(references)]
    for index, item in enumerate(body.get("keyframes") or []):
        found.append(MediaInput(item["uri"], f"keyframes.{index}.uri", role=REFERENCE, tag=f"keyframe{index}"))
    return found
