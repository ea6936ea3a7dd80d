"""The sandbox renderer: one job in, video.mp4 + poster.jpg + last_frame.jpg out.

A pure function of its job (the same job gives the same bytes), run in a worker process:
everything it takes and returns pickles, and it streams frames to the encoder one at a time.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .camera import CameraMove
from .encode import Mp4Writer
from .shots import CameraShot, Crossfade, Shot
from .stills import load_still
from .titlecard import title_card

PROGRESS_REPORTS = 20  # per clip: enough for a progress bar, few enough to cost nothing
TITLE_PUSH_IN = CameraMove(zoom=0.05)  # a card only drifts closer: any other move could crop its text
JPEG_QUALITY = 90


class RenderCancelled(Exception):
    """should_cancel() said stop; no output is left behind."""


@dataclass(frozen=True)
class RenderJob:
    width: int
    height: int
    seconds: int
    out_dir: str  # video.mp4, poster.jpg and last_frame.jpg are written here
    seed: int
    prompt: str | None = None
    first_image: str | None = None  # a path; the clip starts exactly on it
    last_image: str | None = None  # a path; the clip ends exactly on it
    motion: tuple[float, float, float, float, float, float] | None = None  # x, y, z, r, bg_x_pan, bg_y_pan
    fps: int = 24


@dataclass(frozen=True)
class RenderResult:
    video: str
    poster: str
    last_frame: str
    frames: int


def render(
    job: RenderJob,
    progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> RenderResult:
    _check(job)
    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = RenderResult(
        video=str(out / "video.mp4"),
        poster=str(out / "poster.jpg"),
        last_frame=str(out / "last_frame.jpg"),
        frames=job.fps * job.seconds,
    )
    try:
        _render_frames(job, plan_shot(job), result, progress, should_cancel)
    except RenderCancelled:
        for path in (result.video, result.poster, result.last_frame):
            Path(path).unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)
    return result


def plan_shot(job: RenderJob) -> Shot:
    """What the clip shows: the camera over the input image(s), or a title card of the prompt."""
    width, height = job.width, job.height
    if job.first_image is None and job.last_image is None:
        oversample = _largest_scale(TITLE_PUSH_IN, width / height)
        card = title_card(job.prompt, job.seed, round(width * oversample), round(height * oversample))
        return CameraShot(card, TITLE_PUSH_IN, width, height)

    move = CameraMove.from_motion(job.motion)
    oversample = _largest_scale(move, width / height)

    def shot(path: str, ending_on_still: bool) -> CameraShot:
        still = load_still(path, width, height, oversample)
        return CameraShot(still, move, width, height, ending_on_still=ending_on_still)

    if job.first_image is None:
        return shot(job.last_image, ending_on_still=True)
    if job.last_image is None:
        return shot(job.first_image, ending_on_still=False)
    return Crossfade(shot(job.first_image, False), shot(job.last_image, True))


def _render_frames(
    job: RenderJob,
    shot: Shot,
    result: RenderResult,
    progress: Callable[[float], None] | None,
    should_cancel: Callable[[], bool] | None,
) -> None:
    count = result.frames
    report_every = math.ceil(count / PROGRESS_REPORTS)
    frame: np.ndarray | None = None
    with Mp4Writer(result.video, job.width, job.height, job.fps) as writer:
        for index in range(count):
            if should_cancel is not None and should_cancel():
                raise RenderCancelled(f"cancelled after {index} of {count} frames")
            frame = shot.frame(index / (count - 1) if count > 1 else 1.0)
            writer.write(frame)
            if index == 0:
                _save_jpeg(frame, result.poster)
            done = index + 1
            if progress is not None and done % report_every == 0 and done < count:
                progress(done / count)
    _save_jpeg(frame, result.last_frame)


def _save_jpeg(frame: np.ndarray, path: str) -> None:
    # Written under another name and renamed: a reader never sees half a file.
    partial = f"{path}.partial"
    Image.fromarray(frame).save(partial, format="JPEG", quality=JPEG_QUALITY)
    os.replace(partial, path)


def _largest_scale(move: CameraMove, aspect: float) -> float:
    """How far the move zooms in at most: the stills are made that much larger to stay sharp."""
    return max(move.pose(i / 10, aspect).scale for i in range(11))


def _check(job: RenderJob) -> None:
    for name in ("width", "height"):
        value = getattr(job, name)
        if value < 16 or value % 2:
            raise ValueError(f"{name} must be an even number of pixels, at least 16; got {value}")
    if job.seconds < 1 or job.fps < 1:
        raise ValueError(f"seconds and fps must be at least 1; got {job.seconds} s at {job.fps} fps")
