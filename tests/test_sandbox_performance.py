"""Act-Two on the sandbox: real video in, real video out, deterministic."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

from reelay.engines.sandbox.performance import PerformanceJob, grey, measure, render_performance
from support.motion import panning_video, texture

STEP = 3  # pixels the reference's picture moves right per frame


def panning_file(path: Path, seconds: float, step: int = STEP) -> str:
    path.write_bytes(panning_video(seconds, step))
    return str(path)


def frames(path: str) -> list[np.ndarray]:
    with av.open(path) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def character(path: Path, size=(128, 72)) -> str:
    picture = np.full((size[1], size[0], 3), 30, np.uint8)
    cv2.circle(picture, (size[0] // 2, size[1] // 2), size[1] // 4, (240, 200, 40), -1)
    Image.fromarray(picture).save(path)
    return str(path)


def centre_x(rgb: np.ndarray) -> float:
    """Where the yellow disc's centre is, across."""
    mask = (rgb[..., 0] > 150) & (rgb[..., 2] < 120)
    return float(np.nonzero(mask)[1].mean())


def test_the_measured_motion_is_the_reference_s_shift():
    wide = texture(400, 96)
    a, b = wide[:, 100:260], wide[:, 94:254]  # the picture moved 6 pixels right
    motion = measure(grey(a), grey(b))
    assert abs(motion.dx - 6.0) < 0.6 and abs(motion.dy) < 0.5 and abs(motion.zoom - 1.0) < 0.02


def test_the_character_moves_as_the_performer_for_the_reference_s_length(tmp_path):
    job = PerformanceJob(
        width=128, height=72, seconds=3, out_dir=str(tmp_path / "out"), seed=1,
        character=character(tmp_path / "face.png"), reference=panning_file(tmp_path / "ref.mp4", 3.0),
    )  # fmt: skip
    result = render_performance(job)
    shown = frames(result.video)
    assert len(shown) == 3 * 24 and shown[0].shape == (72, 128, 3)
    start, end = centre_x(shown[0]), centre_x(shown[-1])
    # 35 reference frames of 3 px at 160 wide, shown 128 wide: about 84 px, clamped to 30% of 128.
    assert end - start > 0.25 * 128, (start, end)
    assert Path(result.poster).stat().st_size > 0 and Path(result.last_frame).stat().st_size > 0
    again = render_performance(PerformanceJob(**{**job.__dict__, "out_dir": str(tmp_path / "again")}))
    assert Path(again.video).read_bytes() == Path(result.video).read_bytes()


def test_a_still_performer_leaves_the_character_where_it_is(tmp_path):
    job = PerformanceJob(
        width=128, height=72, seconds=3, out_dir=str(tmp_path / "out"), seed=1,
        character=character(tmp_path / "face.png"), reference=panning_file(tmp_path / "ref.mp4", 3.0, step=0),
    )  # fmt: skip
    shown = frames(render_performance(job).video)
    assert abs(centre_x(shown[-1]) - centre_x(shown[0])) < 1.0
