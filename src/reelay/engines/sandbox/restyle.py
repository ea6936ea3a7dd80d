"""A restyle of an input video (the pro family's video2video and aleph): the source, frame by
frame, under a colour grade drawn from the seed, with the prompt lettered in.

The grade is a channel mix near the identity, a per-channel tone curve (lift and gamma) and a
saturation change, all drawn from the seed: the same seed gives the same look, another seed a
visibly different one. The output runs for the source's length (at most the route's limit), at
the size nearest its shape, and is deterministic like every sandbox render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from .footage import cover, film, frames_at, put_rgb
from .picture import Planes
from .render import RenderResult
from .titlecard import TextOverlay


@dataclass(frozen=True)
class RestyleJob:
    width: int
    height: int
    seconds: int
    out_dir: str
    seed: int
    source: str  # a path: the video to restyle
    prompt: str | None = None
    fps: int = 24


@dataclass(frozen=True)
class Grade:
    mix: np.ndarray  # 3×3, applied to RGB in [0, 1]
    curves: np.ndarray  # 3×256 lookup tables, one per channel
    saturation: float

    @classmethod
    def of(cls, seed: int) -> Grade:
        draw = np.random.default_rng(seed)
        mix = np.eye(3) * 0.75 + draw.uniform(0.0, 0.25, (3, 3))
        mix /= mix.sum(axis=1, keepdims=True)  # rows sum to 1: white stays white before the curves
        lift = draw.uniform(-0.06, 0.12, 3)
        gamma = draw.uniform(0.7, 1.4, 3)
        level = np.linspace(0.0, 1.0, 256)
        curves = np.stack([np.clip(lift[c] + (1 - lift[c]) * level ** gamma[c], 0, 1) for c in range(3)])
        return cls(mix.astype(np.float32), (curves * 255).round().astype(np.uint8), float(draw.uniform(0.5, 1.6)))

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        mixed = cv2.transform(rgb, self.mix)  # saturates to uint8
        graded = np.stack([cv2.LUT(mixed[..., c], self.curves[c]) for c in range(3)], axis=-1)
        grey = cv2.cvtColor(cv2.cvtColor(graded, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        return cv2.addWeighted(graded, self.saturation, grey, 1.0 - self.saturation, 0.0)


def render_restyle(
    job: RestyleJob,
    progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> RenderResult:
    count = job.fps * job.seconds
    source = frames_at(job.source, job.fps, count)
    grade = Grade.of(job.seed)
    overlay = TextOverlay.of(job.prompt, job.width, job.height)

    def fill(index: int, planes: Planes) -> None:
        put_rgb(grade.apply(cover(next(source), job.width, job.height)), planes)
        if overlay is not None:
            overlay.apply(planes)

    return film(job.out_dir, (job.width, job.height), job.fps, count, job.seed, fill, progress, should_cancel)
