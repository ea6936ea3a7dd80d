"""The sandbox's video-in renders: restyle (video_to_video), upscale, and frame-rate boost.

Like `render.render`, a pure function of its job run in a render process: the same job and input
give the same bytes, frames stream through one at a time, and the outputs are an H.264 MP4 with
its poster and last frame.

- restyle: each input frame, at the output's size and frame times (the input plays again when
  the output is longer), under a colour grade drawn from the seed, with the prompt lettered in;
- upscale: each input frame resized (Lanczos) to the requested size and sharpened (unsharp mask
  on the luma), at the input's own frame rate;
- frame rate: frames at the target rate, each one between its two input neighbours along their
  optical flow (`flow.FlowMorph`), so motion is interpolated rather than frames repeated.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from .encode import Mp4Writer
from .flow import FlowMorph
from .picture import Planes, planes_of
from .render import COMMENT, PROGRESS_REPORTS, RenderCancelled, RenderResult, _save_jpeg
from .titlecard import TextOverlay
from .video_in import at_times, facts, frames

RESTYLE, UPSCALE, FRAME_RATE = "restyle", "upscale", "frame_rate"
RESTYLE_FPS = 24
SHARPEN_SIGMA = 1.2  # pixels of the unsharp mask's blur
DEFAULT_SHARPEN = 30  # magnific's `sharpen` 0-100 when not given


@dataclass(frozen=True)
class VideoJob:
    mode: str  # RESTYLE | UPSCALE | FRAME_RATE
    source: str  # the input video's path
    width: int
    height: int
    out_dir: str
    seed: int
    seconds: int = 0  # restyle: the output's length (0: the input's)
    prompt: str | None = None  # restyle: lettered in
    fps: Fraction = Fraction(0)  # frame rate: the target
    sharpen: int = DEFAULT_SHARPEN  # upscale: 0-100
    boost: bool = False  # upscale: twice the input's frame rate too (magnific's fpsBoost)


Progress = Callable[[float], None] | None
Cancel = Callable[[], bool] | None


def render_video(job: VideoJob, progress: Progress = None, should_cancel: Cancel = None) -> RenderResult:
    if job.width < 16 or job.height < 16 or job.width % 2 or job.height % 2:
        raise ValueError(f"the output must be an even number of pixels, at least 16; got {job.width}×{job.height}")
    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    video, poster, last = str(out / "video.mp4"), str(out / "poster.jpg"), str(out / "last_frame.jpg")
    source = facts(job.source)
    if job.mode == RESTYLE:
        rate: Fraction = Fraction(RESTYLE_FPS)
        count = round((job.seconds or source.duration) * RESTYLE_FPS)
        pictures: Iterable[np.ndarray] = _restyled(job, count)
    elif job.mode == UPSCALE:
        rate = source.rate * 2 if job.boost else source.rate
        count = max(1, round(source.duration * float(rate)))
        upscaled = _upscaled(job)
        pictures = _interpolated(job, rate, count, upscaled) if job.boost else (buffer for _, buffer in upscaled)
    elif job.mode == FRAME_RATE:
        rate = job.fps
        count = max(1, round(source.duration * float(rate)))
        pictures = _interpolated(job, rate, count, frames(job.source, job.width, job.height))
    else:
        raise ValueError(f"unknown video job mode {job.mode!r}")
    written = 0
    try:
        written = _write(job, rate, max(1, count), pictures, (video, poster, last), progress, should_cancel)
    except RenderCancelled:
        for path in (video, poster, last):
            Path(path).unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)
    return RenderResult(video=video, poster=poster, last_frame=last, frames=written)


def _write(
    job: VideoJob,
    rate: Fraction,
    count: int,
    pictures: Iterable[np.ndarray],
    paths: tuple[str, str, str],
    progress: Progress,
    should_cancel: Cancel,
) -> int:
    """Encodes up to `count` I420 buffers; the first becomes the poster, the last the last frame."""
    video, poster, last = paths
    report_every = math.ceil(count / PROGRESS_REPORTS)
    planes = None
    written = 0
    with Mp4Writer(video, job.width, job.height, rate, comment=f"{COMMENT}, seed {job.seed}") as writer:
        for buffer in pictures:
            if written == count:
                break
            if should_cancel is not None and should_cancel():
                raise RenderCancelled(f"cancelled after {written} of {count} frames")
            planes = planes_of(buffer, job.width, job.height)
            if written == 0:
                _save_jpeg(planes, poster)
            writer.write_i420(buffer)
            written += 1
            if progress is not None and written % report_every == 0 and written < count:
                progress(written / count)
    if planes is None:
        raise ValueError("the input video gave no frames")
    _save_jpeg(planes, last)
    return written


# -- restyle ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """A colour grade drawn from a seed: a luma curve, then chroma turned, scaled and tinted."""

    luma: np.ndarray  # uint8 lookup table
    matrix: np.ndarray  # 2×2, on (u - 128, v - 128)
    tint: tuple[float, float]

    @classmethod
    def of(cls, seed: int) -> Grade:
        rng = random.Random(seed)
        contrast, gamma, lift = rng.uniform(0.85, 1.3), rng.uniform(0.75, 1.3), rng.uniform(-12, 12)
        levels = np.arange(256, dtype=np.float64) / 255.0
        curve = ((levels**gamma - 0.5) * contrast + 0.5) * 255.0 + lift
        turn, saturation = math.radians(rng.uniform(-70, 70)), rng.uniform(0.7, 1.5)
        matrix = saturation * np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
        return cls(
            luma=np.clip(curve + 0.5, 0, 255).astype(np.uint8),
            matrix=matrix.astype(np.float32),
            tint=(rng.uniform(-14, 14), rng.uniform(-14, 14)),
        )

    def apply(self, planes: Planes) -> None:
        cv2.LUT(planes.y, self.luma, dst=planes.y)
        u = planes.u.astype(np.float32) - 128.0
        v = planes.v.astype(np.float32) - 128.0
        (a, b), (c, d) = self.matrix
        planes.u[...] = np.clip(a * u + b * v + 128.5 + self.tint[0], 0, 255)
        planes.v[...] = np.clip(c * u + d * v + 128.5 + self.tint[1], 0, 255)


def _restyled(job: VideoJob, count: int) -> Iterable[np.ndarray]:
    grade = Grade.of(job.seed)
    overlay = TextOverlay.of(job.prompt, job.width, job.height)
    times = [index / RESTYLE_FPS for index in range(count)]
    for rgb in at_times(job.source, times, job.width, job.height):
        buffer = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
        planes = planes_of(buffer, job.width, job.height)
        grade.apply(planes)
        if overlay is not None:
            overlay.apply(planes)
        yield buffer


# -- upscale ------------------------------------------------------------------------------------


def _upscaled(job: VideoJob) -> Iterator[tuple[float, np.ndarray]]:
    """(time, I420 buffer) of each input frame, resized and sharpened."""
    amount = 0.25 + 1.25 * max(0, min(job.sharpen, 100)) / 100  # unsharp strength, 0.25..1.5
    for time, buffer in frames(job.source, job.width, job.height):
        luma = buffer[: job.height]
        blurred = cv2.GaussianBlur(luma, (0, 0), SHARPEN_SIGMA)
        luma[...] = cv2.addWeighted(luma, 1.0 + amount, blurred, -amount, 0.0)
        yield time, buffer


# -- frame rate ---------------------------------------------------------------------------------


def _interpolated(
    job: VideoJob, rate: Fraction, count: int, decoded: Iterator[tuple[float, np.ndarray]]
) -> Iterable[np.ndarray]:
    """Frame k shows time k / rate: between the input frames before and after it, along their flow."""
    before = next(decoded, None)
    if before is None:
        return
    after = next(decoded, None)
    morph: FlowMorph | None = None
    for index in range(count):
        t = index / float(rate)
        while after is not None and after[0] <= t + 1e-6:
            before, after, morph = after, next(decoded, None), None
        buffer = before[1].copy()
        if after is not None:
            share = (t - before[0]) / max(after[0] - before[0], 1e-6)
            if share > 1e-3:
                if morph is None:
                    morph = FlowMorph(
                        planes_of(before[1], job.width, job.height), planes_of(after[1], job.width, job.height)
                    )
                morph.frame_into(share, planes_of(buffer, job.width, job.height))
        yield buffer
