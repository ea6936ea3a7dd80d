"""The sandbox renderer: one job in, video.mp4 + poster.jpg + last_frame.jpg out.

A pure function of its job (the same job gives the same bytes), run in a worker process:
everything it takes and returns pickles, and it streams frames to the encoder one at a time, so
its memory does not grow with the clip's length.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .backdrop import backdrop
from .camera import CameraPath
from .encode import Mp4Writer
from .picture import Planes, even
from .shots import CameraShot, Shot, Transition
from .stills import load_still
from .titlecard import TextOverlay

PROGRESS_REPORTS = 20  # per clip: enough for a progress bar, few enough to cost nothing
JPEG_QUALITY = 90
COMMENT = "Reelay sandbox render"  # with the seed: a file names the seed that made it
MOST_OVERSAMPLING = 4.0  # a still is at most this many times the frame's size (memory bound)


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
    first_image: str | None = None  # a path; the clip starts on it
    last_image: str | None = None  # a path; the clip ends on it
    motion: tuple[float, ...] | None = None  # x, y, z, r, bg_x_pan, bg_y_pan (CameraPath refuses another length)
    fps: int = 24


def scaled_size(width: int, height: int, scale: float = 1.0) -> tuple[int, int]:
    """The size rendered for a requested size at REELAY_SANDBOX_SCALE: each side times `scale`,
    rounded to an even number of pixels (H.264 with yuv420p), at least 16; at 1, the size asked."""
    if scale >= 1:
        return width, height
    return max(16, even(width * scale)), max(16, even(height * scale))


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
    """What the clip shows.

    - first and last image: a transition along their optical flow, starting exactly on the
      first and ending exactly on the last (the camera holds still: both ends are fixed);
    - one image: the camera moves over it (played backwards when it is the last image, so the
      clip ends where the forward move starts);
    - no image: the camera moves over a backdrop made from the seed, under the prompt's title.
    """
    width, height = job.width, job.height
    if job.first_image is not None and job.last_image is not None:
        first = Planes.from_rgb(load_still(job.first_image, width, height))
        last = Planes.from_rgb(load_still(job.last_image, width, height))
        return Transition(first, last)
    path = CameraPath(job.motion, width, height, reverse=job.first_image is None and job.last_image is not None)
    factor = oversampling(path)
    image = job.first_image or job.last_image
    if image is not None:
        return CameraShot(Planes.from_rgb(load_still(image, width, height, factor)), path)
    size = (even(width * factor), even(height * factor)) if factor > 1 else (width, height)
    picture = Planes.from_rgb(backdrop(job.seed, *size))
    return CameraShot(picture, path, TextOverlay.of(job.prompt, width, height))


def oversampling(path: CameraPath) -> float:
    """How much larger than the frame the picture is made: the geometric middle of the path's
    magnifications, so the camera films about one picture pixel per frame pixel throughout
    (at most 1.22 times more or less, at the zoom's two ends)."""
    low, high = path.zoom_range
    return min(math.sqrt(low * high), MOST_OVERSAMPLING)


def _render_frames(
    job: RenderJob,
    shot: Shot,
    result: RenderResult,
    progress: Callable[[float], None] | None,
    should_cancel: Callable[[], bool] | None,
) -> None:
    count = result.frames
    report_every = math.ceil(count / PROGRESS_REPORTS)
    with Mp4Writer(result.video, job.width, job.height, job.fps, comment=f"{COMMENT}, seed {job.seed}") as writer:
        for index in range(count):
            if should_cancel is not None and should_cancel():
                raise RenderCancelled(f"cancelled after {index} of {count} frames")
            frame, planes = writer.new_frame()  # filmed straight into the encoder's frame
            shot.frame_into(index / (count - 1) if count > 1 else 1.0, planes)
            if index == 0:
                _save_jpeg(planes, result.poster)
            writer.write_frame(frame)
            done = index + 1
            if progress is not None and done % report_every == 0 and done < count:
                progress(done / count)
    _save_jpeg(planes, result.last_frame)


def _save_jpeg(planes: Planes, path: str) -> None:
    # Written under another name and renamed: a reader never sees half a file.
    partial = f"{path}.partial"
    Image.fromarray(planes.rgb()).save(partial, format="JPEG", quality=JPEG_QUALITY)
    os.replace(partial, path)


def _check(job: RenderJob) -> None:
    for name in ("width", "height"):
        value = getattr(job, name)
        if value < 16 or value % 2:
            raise ValueError(f"{name} must be an even number of pixels, at least 16; got {value}")
    if job.seconds < 1 or job.fps < 1:
        raise ValueError(f"seconds and fps must be at least 1; got {job.seconds} s at {job.fps} fps")
