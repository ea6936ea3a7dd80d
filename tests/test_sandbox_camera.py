"""The virtual camera, measured on decoded frames: each axis moves the way camera.py documents."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from reelay.engines.sandbox.camera import CameraPath
from reelay.engines.sandbox.picture import Planes, new_frame
from reelay.engines.sandbox.render import RenderJob, oversampling, render
from reelay.engines.sandbox.shots import CameraShot

WIDTH, HEIGHT = 480, 288  # enough texture for feature matching, still fast


def scene(path: Path, size: tuple[int, int] = (960, 640), seed: int = 4) -> Path:
    """Shapes with corners and edges over blotchy colour: something to track at every scale."""
    rng = np.random.default_rng(seed)
    width, height = size
    blotches = rng.integers(0, 255, (height // 8, width // 8, 3)).astype(np.uint8)
    image = (cv2.resize(blotches, size, interpolation=cv2.INTER_CUBIC) // 2 + 60).astype(np.uint8)
    for index in range(120):
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        x, y, s = int(rng.integers(0, width)), int(rng.integers(0, height)), int(rng.integers(6, 30))
        if index % 2:
            cv2.circle(image, (x, y), s, colour, -1, cv2.LINE_AA)
        else:
            cv2.rectangle(image, (x - s, y - s // 2), (x + s, y + s // 2), colour, -1)
    Image.fromarray(image).save(path)
    return path


@pytest.fixture(scope="module")
def picture(tmp_path_factory) -> Path:
    return scene(tmp_path_factory.mktemp("camera") / "scene.png")


def filmed(tmp_path: Path, picture: Path, motion, **fields) -> list[np.ndarray]:
    """The decoded luma of every frame of a one-second clip over `picture`."""
    job = RenderJob(WIDTH, HEIGHT, 1, str(tmp_path / "out"), 1, first_image=str(picture), motion=motion, **fields)
    with av.open(render(job).video) as container:
        return [frame.to_ndarray(format="gray") for frame in container.decode(video=0)]


def slide(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """How far the picture moved from frame a to frame b, in pixels (right and down positive)."""
    window = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
    (dx, dy), _ = cv2.phaseCorrelate(a.astype(np.float32), b.astype(np.float32), window)
    return dx, dy


def matched(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    orb = cv2.ORB_create(1500)
    keys_a, desc_a = orb.detectAndCompute(a, None)
    keys_b, desc_b = orb.detectAndCompute(b, None)
    matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(desc_a, desc_b)
    points_a = np.float32([keys_a[m.queryIdx].pt for m in matches])
    points_b = np.float32([keys_b[m.trainIdx].pt for m in matches])
    return points_a, points_b


def scale_and_turn(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """How much features grew and turned from a to b (degrees; positive is clockwise on screen)."""
    matrix, inliers = cv2.estimateAffinePartial2D(*matched(a, b), method=cv2.RANSAC, ransacReprojThreshold=2)
    assert inliers.sum() > 50
    return math.hypot(matrix[0, 0], matrix[1, 0]), math.degrees(math.atan2(matrix[1, 0], matrix[0, 0]))


def keystone(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The perspective terms of the homography from a to b, in units of the frame's half size:
    how much larger one side of the picture became than the other."""
    homography, _ = cv2.findHomography(*matched(a, b), cv2.RANSAC, 2)
    return homography[2, 0] * WIDTH / 2, homography[2, 1] * HEIGHT / 2


def test_x_trucks_right_by_a_quarter_of_the_width_at_ten(tmp_path, picture):
    frames = filmed(tmp_path, picture, (4, 0, 0, 0, 0, 0))

    dx, dy = slide(frames[0], frames[-1])
    assert dx == pytest.approx(-WIDTH * 4 / 40, abs=1.5)  # the camera moves right: the picture slides left
    assert abs(dy) < 1
    assert scale_and_turn(frames[0], frames[-1])[0] == pytest.approx(1.0, abs=0.01)


def test_negative_x_trucks_left(tmp_path, picture):
    frames = filmed(tmp_path, picture, (-10, 0, 0, 0, 0, 0))

    assert slide(frames[0], frames[-1])[0] == pytest.approx(WIDTH / 4, abs=2)


def test_y_raises_the_camera(tmp_path, picture):
    frames = filmed(tmp_path, picture, (0, 4, 0, 0, 0, 0))

    dx, dy = slide(frames[0], frames[-1])
    assert dy == pytest.approx(HEIGHT * 4 / 40, abs=1.5)  # the camera rises: the picture slides down
    assert abs(dx) < 1
    down = filmed(tmp_path / "down", picture, (0, -4, 0, 0, 0, 0))
    assert slide(down[0], down[-1])[1] == pytest.approx(-HEIGHT * 4 / 40, abs=1.5)


def test_the_move_eases_in_and_out(tmp_path, picture):
    frames = filmed(tmp_path, picture, (8, 0, 0, 0, 0, 0))
    steps = [slide(a, b)[0] for a, b in itertools.pairwise(frames)]

    assert all(step < 0 for step in steps)  # one way throughout
    middle, ends = abs(steps[len(steps) // 2]), (abs(steps[0]) + abs(steps[-1])) / 2
    assert middle == pytest.approx(3 * ends, rel=0.25)  # 1.5× the average speed midway, 0.5× at the ends


def test_positive_z_zooms_in(tmp_path, picture):
    frames = filmed(tmp_path, picture, (0, 0, 10, 0, 0, 0))

    grew, turned = scale_and_turn(frames[0], frames[-1])
    assert grew == pytest.approx(1.5, rel=0.02)
    assert abs(turned) < 0.5
    assert scale_and_turn(frames[0], frames[len(frames) // 2])[0] == pytest.approx(math.sqrt(1.5), rel=0.03)


def test_negative_z_really_zooms_out(tmp_path, picture):
    frames = filmed(tmp_path, picture, (0, 0, -6, 0, 0, 0))

    assert scale_and_turn(frames[0], frames[-1])[0] == pytest.approx(1 / 1.3, rel=0.02)


def test_z_is_linear_in_its_value(tmp_path, picture):
    frames = filmed(tmp_path, picture, (0, 0, 4, 0, 0, 0))

    assert scale_and_turn(frames[0], frames[-1])[0] == pytest.approx(1.2, rel=0.02)


def test_r_rolls_the_camera_clockwise(tmp_path, picture):
    frames = filmed(tmp_path, picture, (0, 0, 0, 10, 0, 0))

    grew, turned = scale_and_turn(frames[0], frames[-1])
    assert turned == pytest.approx(-15.0, abs=0.5)  # the picture turns counter-clockwise on screen
    assert grew == pytest.approx(1.0, abs=0.01)
    back = filmed(tmp_path / "back", picture, (0, 0, 0, -4, 0, 0))
    assert scale_and_turn(back[0], back[-1])[1] == pytest.approx(6.0, abs=0.5)


def test_a_pan_turns_the_camera_with_perspective_where_a_truck_only_slides(tmp_path, picture):
    pan = filmed(tmp_path / "pan", picture, (0, 0, 0, 0, 10, 0))
    truck = filmed(tmp_path / "truck", picture, (10, 0, 0, 0, 0, 0))

    assert slide(pan[0], pan[-1])[0] < -WIDTH / 6  # turning right: the picture slides left
    assert keystone(pan[0], pan[-1])[0] > 0.1  # ... and its sides no longer match in size
    assert abs(keystone(truck[0], truck[-1])[0]) < 0.01


def test_a_tilt_turns_the_camera_up_with_perspective(tmp_path, picture):
    frames = filmed(tmp_path, picture, (0, 0, 0, 0, 0, 10))

    assert slide(frames[0], frames[-1])[1] > HEIGHT / 6  # tilting up: the picture slides down
    assert keystone(frames[0], frames[-1])[1] < -0.05
    assert abs(keystone(frames[0], frames[-1])[0]) < 0.02


def test_all_zeros_is_a_still_camera(tmp_path, picture):
    frames = filmed(tmp_path, picture, (0, 0, 0, 0, 0, 0))

    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() < 1.5


def test_no_motion_vector_is_a_slow_push_in(tmp_path, picture):
    frames = filmed(tmp_path, picture, None)

    assert scale_and_turn(frames[0], frames[-1])[0] == pytest.approx(1.1, rel=0.02)


def test_the_last_image_alone_plays_the_move_backwards(tmp_path, picture):
    forward = filmed(tmp_path / "f", picture, (0, 0, 8, 0, 0, 0))
    job = RenderJob(WIDTH, HEIGHT, 1, str(tmp_path / "b"), 1, last_image=str(picture), motion=(0, 0, 8, 0, 0, 0))
    with av.open(render(job).video) as container:
        backward = [frame.to_ndarray(format="gray") for frame in container.decode(video=0)]

    assert scale_and_turn(backward[0], backward[-1])[0] == pytest.approx(1 / 1.4, rel=0.02)
    assert np.abs(backward[-1].astype(int) - forward[0].astype(int)).mean() < 4  # H.264 loss only


CORNERS = list(itertools.product((-10, 10), repeat=6))


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (960, 960), (1584, 672), (WIDTH, HEIGHT)])
def test_no_frame_looks_outside_the_picture_anywhere_in_range(size):
    width, height = size
    times = np.linspace(0.0, 1.0, 240)  # every frame of a 10-second clip
    for motion in [*CORNERS, None, (0, 0, 0, 0, 0, 0), (10, 0, 0, 0, 0, 0), (0, 0, 0, -10, 0, 0), (0, 0, 0, 0, 0, -10)]:
        for reverse in (False, True):
            path = CameraPath(motion, width, height, reverse=reverse)
            reach = float(np.abs(path.corners(times)).max())
            assert reach <= 1 + 1e-9, (motion, reverse)


@pytest.mark.parametrize("motion", [(10, 10, 10, 10, 10, 10), (-10, 10, -10, -10, 10, -10), (10, -10, 0, 10, -10, 10)])
def test_the_widest_frame_fills_the_picture_edge_to_edge(motion):
    """The camera stands no further in than it must: some frame touches the picture's edge."""
    path = CameraPath(motion, WIDTH, HEIGHT)
    reach = float(np.abs(path.corners(np.linspace(0.0, 1.0, 257))).max())

    assert reach == pytest.approx(1.0, abs=1e-6)
    assert path.base_zoom > 1.25


@pytest.mark.parametrize(
    "motion", [(10, 10, 10, 10, 10, 10), (-10, -10, -10, -10, -10, -10), (10, -10, 10, -10, 10, -10)]
)
def test_decoded_frames_never_show_a_smeared_border(tmp_path, motion):
    """Fine noise all over the picture: a border filled by repeating an edge would be flat."""
    rng = np.random.default_rng(2)
    noise = cv2.resize(
        rng.integers(0, 255, (240, 400, 3)).astype(np.uint8), (1600, 960), interpolation=cv2.INTER_NEAREST
    )
    source = tmp_path / "noise.png"
    Image.fromarray(noise).save(source)
    job = RenderJob(320, 192, 1, str(tmp_path / "out"), 1, first_image=str(source), motion=motion)
    with av.open(render(job).video) as container:
        frames = [frame.to_ndarray(format="gray").astype(np.float32) for frame in container.decode(video=0)]

    for frame in frames:
        for strip in (frame[:, :4].T, frame[:, -4:].T, frame[:4], frame[-4:]):
            # across a smeared strip every line repeats the edge: no variation between its lines
            assert np.abs(np.diff(strip, axis=0)).mean() > 6


def test_the_planes_show_what_an_rgb_camera_would(tmp_path, picture):
    """Filming Y, U and V separately matches filming the RGB picture and converting."""
    path = CameraPath((3, -2, 5, 4, -3, 2), 320, 192)
    rgb = np.asarray(Image.open(picture).convert("RGB").resize((400, 240)))
    shot = CameraShot(Planes.from_rgb(rgb), path)
    buffer, planes = new_frame(320, 192)
    for t in (0.0, 0.37, 1.0):
        shot.frame_into(t, planes)
        expected = cv2.warpPerspective(
            rgb, path.matrix(t, (400, 240)), (320, 192), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        )
        reference = cv2.cvtColor(expected, cv2.COLOR_RGB2YUV_I420).astype(int)
        assert np.abs(buffer[:192] - reference[:192]).mean() < 0.5  # luma: the same samples
        assert np.abs(buffer[192:] - reference[192:]).mean() < 3.5  # chroma: subsampled before, not after


def test_a_zoom_films_a_sharper_picture_rather_than_enlarging_pixels():
    assert oversampling(CameraPath((0, 0, 0, 0, 0, 0), 320, 192)) == 1.0
    assert oversampling(CameraPath((0, 0, 10, 0, 0, 0), 320, 192)) == pytest.approx(math.sqrt(1.5))
    assert oversampling(CameraPath((10, 0, 0, 0, 0, 0), 320, 192)) == pytest.approx(1.25)
