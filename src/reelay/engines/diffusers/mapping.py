"""A request in Reelay's canonical form → what the pipeline is asked for (no torch here).

- Size: the channel's table entry whose aspect is nearest the size the request asks for (its
  ratio, already turned into pixels by the dialect), compared in log scale so 2:1 and 1:2 are
  equally far from 1:1.
- Frames: the model renders at its own frame rate, `frame_step·k + 1` frames, the fewest that
  cover the asked seconds (Wan at 16 fps: 5 s → 81; 24 fps families: 5 s → 121).
- The MP4 is `OUTPUT_FPS` and exactly as long as asked (output.py resamples the model's frames).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reelay.domain import catalogue
from reelay.domain.request import GenerationRequest

from .families import Family, Size
from .settings import DiffusersSettings

OUTPUT_FPS = 24  # what every engine delivers, as Runway does


@dataclass(frozen=True)
class Plan:
    width: int
    height: int
    frames: int  # the model's frames
    fps: int  # the model's frame rate
    seconds: int  # of the MP4
    prompt: str
    negative_prompt: str
    steps: int
    guidance: float
    seed: int
    first: bool  # a first image is given to the pipeline
    last: bool  # a last image is given to the pipeline


def takes(family: Family, request: GenerationRequest) -> bool:
    """Whether a channel of this family can serve the request as asked: a video, no camera
    motion (no family here follows one), and images the pipeline really honours."""
    if request.kind not in catalogue.VIDEO_KINDS or request.seconds <= 0:
        return False
    if request.motion is not None and any(request.motion):
        return False
    return family.takes(first=request.first_image is not None, last=request.last_image is not None)


def nearest_size(sizes: dict[str, Size], width: int, height: int) -> Size:
    asked = math.log(width / height)
    return min(sizes.values(), key=lambda size: (abs(math.log(size[0] / size[1]) - asked), -size[0] * size[1]))


def frame_count(family: Family, seconds: float) -> int:
    """The fewest `frame_step·k + 1` frames at the family's rate that last `seconds`."""
    steps = math.ceil(seconds * family.fps / family.frame_step)
    return max(steps, 1) * family.frame_step + 1


def plan(request: GenerationRequest, seed: int, settings: DiffusersSettings) -> Plan:
    width, height = nearest_size(settings.sizes, request.width, request.height)
    family = settings.family
    return Plan(
        width=width,
        height=height,
        frames=frame_count(family, request.seconds),
        fps=family.fps,
        seconds=request.seconds,
        prompt=request.prompt or "",
        negative_prompt=settings.negative_prompt,
        steps=settings.steps,
        guidance=settings.guidance,
        seed=seed,
        first=request.first_image is not None,
        last=request.last_image is not None,
    )
