"""The render job of a task that follows an input video: Act-Two or a pro restyle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeAlias

from reelay.domain.artifacts import MediaKind
from reelay.domain.footage import PERFORMANCE_KINDS, driving_video
from reelay.domain.request import CHARACTER, GenerationRequest, Input

from . import markers
from .performance import DEFAULT_INTENSITY, PerformanceJob
from .render import RenderJob
from .video_render import RESTYLE, VideoJob

Job: TypeAlias = RenderJob | PerformanceJob | VideoJob
InputPath = Callable[[Input | None, Path], Awaitable[str | None]]


class MissingInput(ValueError):
    """A task that follows a video reached the sandbox without it (sent on to a relay first)."""


async def footage_job(
    request: GenerationRequest, seed: int, size: tuple[int, int], task_dir: Path, input_path: InputPath
) -> PerformanceJob | VideoJob:
    width, height = size
    out_dir = str(task_dir / "out")
    seconds = max(1, request.seconds)
    video = await input_path(driving_video(request), task_dir)
    if video is None:
        raise MissingInput("the task has no video to follow")
    if request.kind in PERFORMANCE_KINDS:
        character = request.input_for(CHARACTER)
        character_path = await input_path(character, task_dir)
        if character is None or character_path is None:
            raise MissingInput("the task has no character")
        intensity = request.extras.get("expressionIntensity", DEFAULT_INTENSITY)
        return PerformanceJob(
            width=width,
            height=height,
            seconds=seconds,
            out_dir=out_dir,
            seed=seed,
            character=character_path,
            reference=video,
            character_is_video=character.kind == MediaKind.VIDEO,
            intensity=intensity if isinstance(intensity, int) else DEFAULT_INTENSITY,
        )
    # A pro restyle is the official video_to_video's restyle, for the seconds its route allows.
    prompt = markers.strip(request.prompt)
    return VideoJob(RESTYLE, video, width, height, out_dir, seed, seconds=seconds, prompt=prompt)
