"""Act-Two on the CPU: the character moved with the reference performance's measured motion.

For each output frame the reference's global motion since the frame before is measured with the
sandbox's optical flow (`flow.dense_flow`, DIS around a phase-correlated shift) on a small grey
copy, and fitted as a shift and a zoom about the centre (least squares: flow ≈ (s − 1)·p + t for
every point p from the centre). The motions are composed over the clip and applied to the
character's still (the image, or the character video's first frame): the character drifts,
leans in and out as the performer does, for the reference's length, at the ratio's size.
`expressionIntensity` (1–5, 3 by default) scales the motion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from .film import film
from .flow import dense_flow
from .picture import Planes
from .render import RenderResult
from .stills import load_still
from .video_in import cover, first_frame, showing_at

MEASURE_WIDTH = 160  # the motion is measured this wide: global motion needs no more
SAMPLE_STEP = 4  # flow vectors used in the fit: one in 4×4
MOST_ZOOM = 1.5  # the character's scale stays within 1/1.5 … 1.5
MOST_SHIFT = 0.3  # and its centre within 30% of the frame from the middle
DEFAULT_INTENSITY = 3


@dataclass(frozen=True)
class PerformanceJob:
    width: int
    height: int
    seconds: int
    out_dir: str
    seed: int
    character: str  # a path: an image, or a video when character_is_video
    reference: str  # a path: the performance video
    character_is_video: bool = False
    intensity: int = DEFAULT_INTENSITY
    fps: int = 24


@dataclass(frozen=True)
class Motion:
    """A zoom about the centre, then a shift, in pixels of the frame it was measured on."""

    zoom: float = 1.0
    dx: float = 0.0
    dy: float = 0.0

    def then(self, step: Motion) -> Motion:
        return Motion(self.zoom * step.zoom, step.zoom * self.dx + step.dx, step.zoom * self.dy + step.dy)


def measure(previous: np.ndarray, current: np.ndarray) -> Motion:
    """The global motion from one grey frame to the next: a zoom about the centre and a shift."""
    flow = dense_flow(previous, current)[::SAMPLE_STEP, ::SAMPLE_STEP].reshape(-1, 2).astype(np.float64)
    height, width = previous.shape
    ys, xs = np.mgrid[0:height:SAMPLE_STEP, 0:width:SAMPLE_STEP]
    points = np.stack([xs.ravel() - (width - 1) / 2, ys.ravel() - (height - 1) / 2], axis=1).astype(np.float64)
    points -= points.mean(axis=0)
    shift = flow.mean(axis=0)
    spread = float(np.sum(points * points))
    growth = float(np.sum(points * (flow - shift))) / spread if spread else 0.0
    return Motion(1.0 + growth, float(shift[0]), float(shift[1]))


def grey(rgb: np.ndarray) -> np.ndarray:
    height, width = rgb.shape[:2]
    size = (MEASURE_WIDTH, max(8, round(height * MEASURE_WIDTH / width)))
    return cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), size, interpolation=cv2.INTER_AREA)


def placement(motion: Motion, measured_width: int, width: int, height: int, gain: float) -> np.ndarray:
    """The affine map (2×3, frame pixels) putting the character where the motion took it."""
    zoom = float(np.clip(motion.zoom**gain, 1 / MOST_ZOOM, MOST_ZOOM))
    factor = width / measured_width * gain
    dx = float(np.clip(motion.dx * factor, -MOST_SHIFT * width, MOST_SHIFT * width))
    dy = float(np.clip(motion.dy * factor, -MOST_SHIFT * height, MOST_SHIFT * height))
    cx, cy = (width - 1) / 2, (height - 1) / 2
    return np.array([[zoom, 0.0, cx - zoom * cx + dx], [0.0, zoom, cy - zoom * cy + dy]])


class Follower:
    """The reference's motion so far, composed frame by frame."""

    def __init__(self) -> None:
        self.motion = Motion()
        self.previous: np.ndarray | None = None

    def follow(self, rgb: np.ndarray) -> np.ndarray:
        """Takes the next reference frame; returns it grey, as measured."""
        current = grey(rgb)
        previous = self.previous
        if previous is not None and previous.shape == current.shape and not np.array_equal(previous, current):
            self.motion = self.motion.then(measure(previous, current))
        self.previous = current
        return current


def render_performance(
    job: PerformanceJob,
    progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> RenderResult:
    character = _character_still(job)
    count = job.fps * job.seconds
    reference = showing_at(job.reference, [index / job.fps for index in range(count)])
    gain = job.intensity / DEFAULT_INTENSITY
    follower = Follower()

    def fill(index: int, planes: Planes) -> None:
        measured = follower.follow(next(reference))
        _warp_into(character, placement(follower.motion, measured.shape[1], job.width, job.height, gain), planes)

    return film(job.out_dir, (job.width, job.height), job.fps, count, job.seed, fill, progress, should_cancel)


def _character_still(job: PerformanceJob) -> Planes:
    if job.character_is_video:
        return Planes.from_rgb(cover(first_frame(job.character), job.width, job.height))
    return Planes.from_rgb(load_still(job.character, job.width, job.height))


def _warp_into(still: Planes, matrix: np.ndarray, out: Planes) -> None:
    for source, target in zip(still, out, strict=True):
        scale = source.shape[1] / still.size[0]  # 1 for luma, 1/2 for chroma
        plane_matrix = matrix.copy()
        plane_matrix[:, 2] *= scale
        size = (target.shape[1], target.shape[0])
        target[...] = cv2.warpAffine(source, plane_matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
