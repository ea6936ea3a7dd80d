"""The first-to-last transition: exact at both ends, moving along the optical flow in between."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from reelay.engines.sandbox.render import RenderJob, render

WIDTH, HEIGHT = 320, 192
SHIFT = 36  # pixels the shapes move between the two images


def shapes(shift: int = 0, size: tuple[int, int] = (WIDTH, HEIGHT)) -> np.ndarray:
    """Coloured discs and boxes on a plain ground, all moved `shift` pixels to the right."""
    width, height = size
    image = np.full((height, width, 3), (40, 60, 90), np.uint8)
    rng = np.random.default_rng(5)
    for index in range(14):
        colour = tuple(int(v) for v in rng.integers(80, 255, 3))
        x, y = int(rng.integers(20, width - 60)) + shift, int(rng.integers(20, height - 20))
        if index % 2:
            cv2.circle(image, (x, y), int(rng.integers(8, 20)), colour, -1, cv2.LINE_AA)
        else:
            cv2.rectangle(image, (x - 12, y - 9), (x + 12, y + 9), colour, -1)
    return image


def save(image: np.ndarray, path: Path) -> str:
    Image.fromarray(image).save(path)
    return str(path)


def transition(tmp_path: Path, first: np.ndarray, last: np.ndarray, seconds: int = 2) -> list[np.ndarray]:
    job = RenderJob(
        WIDTH, HEIGHT, seconds, str(tmp_path / "out"), 1,
        first_image=save(first, tmp_path / "first.png"), last_image=save(last, tmp_path / "last.png"),
    )  # fmt: skip
    with av.open(render(job).video) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def test_the_clip_starts_exactly_on_the_first_image_and_ends_exactly_on_the_last(tmp_path):
    first, last = shapes(), shapes(SHIFT)
    frames = transition(tmp_path, first, last)

    assert difference(frames[0], first) < 2.5  # H.264's own loss
    assert difference(frames[-1], last) < 2.5


def test_the_middle_frame_moves_the_shapes_half_way_instead_of_blending_them(tmp_path):
    first, last = shapes(), shapes(SHIFT)
    frames = transition(tmp_path, first, last)
    middle = frames[len(frames) // 2]
    blend = ((first.astype(np.uint16) + last) // 2).astype(np.uint8)
    half_way = shapes(SHIFT // 2)

    assert difference(middle, blend) > 3 * difference(middle, half_way)
    assert difference(middle, half_way) < 5


def test_things_travel_steadily_from_one_end_to_the_other(tmp_path):
    first, last = shapes(), shapes(SHIFT)
    frames = transition(tmp_path, first, last)

    def position(frame: np.ndarray) -> float:
        window = cv2.createHanningWindow((WIDTH, HEIGHT), cv2.CV_32F)
        gray = [cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32) for image in (first, frame)]
        return cv2.phaseCorrelate(*gray, window)[0][0]

    positions = [position(frame) for frame in frames[:: len(frames) // 8]] + [position(frames[-1])]
    assert positions[0] == pytest.approx(0, abs=0.5)
    assert positions[-1] == pytest.approx(SHIFT, abs=1)
    assert all(b >= a - 0.5 for a, b in itertools.pairwise(positions))


def test_two_unrelated_images_dissolve_rather_than_smear(tmp_path):
    """Where the two flows disagree there is no motion to follow: the transition fades."""
    first = shapes()
    rng = np.random.default_rng(9)
    last = cv2.resize(
        rng.integers(0, 255, (12, 20, 3)).astype(np.uint8), (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC
    )
    frames = transition(tmp_path, first, last)
    middle = frames[len(frames) // 2]
    blend = ((first.astype(np.uint16) + last) // 2).astype(np.uint8)

    assert difference(middle, blend) < 8
