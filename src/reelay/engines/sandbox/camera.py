"""The virtual camera: Runway's `motion_vector` as one homography per frame.

The picture (an input image, or a title card's backdrop) hangs flat in front of a pinhole camera
whose lens sees 70° across the frame's diagonal. Each axis of `motion_vector` moves the camera
over the clip, linearly in its value (so `x = 5` moves half as far as `x = 10`), on one eased
timeline that starts and ends at half speed and peaks at 1.5 times the average speed:

| axis | camera move | over the whole clip, at value v in [-10, 10] | positive v |
| --- | --- | --- | --- |
| `x` | truck | the picture slides v/40 of the frame width: a quarter at 10 | camera right, picture slides left |
| `y` | pedestal | the picture slides v/40 of the frame height: a quarter at 10 | camera up, picture slides down |
| `z` | zoom | features grow 1 + v/20 times: 1.5× at 10; -v shrinks them as much | camera zooms in; negative starts that much closer and pulls back |
| `r` | roll | the camera turns 1.5° per unit about its lens axis: 15° at 10 | camera clockwise, picture turns counter-clockwise |
| `bg_x_pan` | pan (yaw) | the camera turns 1.5° per unit: 15° at 10 | camera turns right, picture slides left, keystoned |
| `bg_y_pan` | tilt (pitch) | the camera turns 1.5° per unit: 15° at 10 | camera tilts up, picture slides down, keystoned |

Trucks, rolls, pans and tilts are centred on the picture (from -half to +half of the move), so
the middle frame looks at the picture's centre. A pan or tilt is a rotation of the camera,
H = K R K⁻¹, so the picture keystones (its near side grows) where a truck only slides it.

The camera plans its whole path first: it then stands just far enough into the picture (a base
zoom b ≥ 1, the same for every frame) that the union of all frames' views stays inside the
picture. No frame ever shows what lies outside it: no black and no smeared border, for every
vector in range. A path that never leaves the whole picture (a zoom, the default push-in) has
b = 1, so its widest frame is exactly the picture. All zeros is a still camera. No vector at all
(Runway's official API has none) is a slow push-in, `DEFAULT_MOTION`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Motion = tuple[float, float, float, float, float, float]  # x, y, z, r, bg_x_pan, bg_y_pan

DIAGONAL_FIELD_OF_VIEW = 70.0  # degrees: a moderately wide lens, so a pan visibly keystones
TRUCK_PER_UNIT = 1 / 40  # of the frame width (x) or height (y): a quarter at 10
ZOOM_PER_UNIT = 1 / 20  # extra magnification: 1.5× at 10
DEGREES_PER_UNIT = 1.5  # roll, pan and tilt: 15° at 10
EASE = 0.5  # speed at the ends is 1 - EASE, at the middle 1 + EASE (of the average)
DEFAULT_MOTION: Motion = (0.0, 0.0, 2.0, 0.0, 0.0, 0.0)  # a slow push-in: 1.1× over the clip
PATH_SAMPLES = 256  # the path is checked at this many steps (it is smooth between them)


def ease(t: float) -> float:
    """A gentle ease-in/out: position over [0, 1], speed 1 - EASE at both ends, 1 + EASE midway."""
    t = min(max(t, 0.0), 1.0)
    return t - EASE * math.sin(2 * math.pi * t) / (2 * math.pi)


@dataclass(frozen=True)
class Pose:
    """Where the camera is at one moment, relative to the frame (before the base zoom)."""

    shift_x: float = 0.0  # frame pixels the camera has moved right
    shift_y: float = 0.0  # frame pixels it has moved down
    zoom: float = 1.0  # magnification: 2 shows features twice as large
    roll: float = 0.0  # degrees, camera clockwise
    yaw: float = 0.0  # degrees, camera turned right
    pitch: float = 0.0  # degrees, camera tilted up


class CameraPath:
    """A planned camera move over a picture for a width×height frame; `pose(t)` for t in [0, 1].

    `reverse` plays the move backwards (the clip ends where the forward move starts).
    """

    def __init__(self, motion: tuple[float, ...] | None, width: int, height: int, *, reverse: bool = False) -> None:
        values = DEFAULT_MOTION if motion is None else tuple(motion)
        if len(values) != 6:
            raise ValueError(f"a motion vector has 6 members (x, y, z, r, bg_x_pan, bg_y_pan); got {len(values)}")
        x, y, z, r, pan_x, pan_y = (_clamp(float(v), -10.0, 10.0) for v in values)
        self.motion: Motion = (x, y, z, r, pan_x, pan_y)
        self.width, self.height = width, height
        self.reverse = reverse
        self.focal = math.hypot(width, height) / 2 / math.tan(math.radians(DIAGONAL_FIELD_OF_VIEW / 2))
        samples = np.linspace(0.0, 1.0, PATH_SAMPLES + 1)
        self.base_zoom = max(1.0, float(np.abs(self._seen(samples)).max()))

    @property
    def zoom_range(self) -> tuple[float, float]:
        """The least and the most the picture is magnified on screen over the clip (b included)."""
        top = 1.0 + abs(self.motion[2]) * ZOOM_PER_UNIT
        return self.base_zoom, self.base_zoom * top

    def pose(self, t: float) -> Pose:
        (values,) = self._poses(np.array([t], dtype=float))
        return Pose(*(float(v) for v in values))

    def _poses(self, times: np.ndarray) -> np.ndarray:
        """Poses at many times at once: rows of (shift_x, shift_y, zoom, roll, yaw, pitch)."""
        if self.reverse:
            times = 1.0 - times
        x, y, z, r, yaw, pitch = self.motion
        t = np.clip(times, 0.0, 1.0)
        e = t - EASE * np.sin(2 * np.pi * t) / (2 * np.pi)  # ease(), for arrays
        centred = e - 0.5
        top = 1.0 + abs(z) * ZOOM_PER_UNIT
        zoom = top ** (e if z >= 0 else 1.0 - e)
        return np.stack(
            [
                x * TRUCK_PER_UNIT * self.width * centred,
                -y * TRUCK_PER_UNIT * self.height * centred,
                zoom,
                r * DEGREES_PER_UNIT * centred,
                yaw * DEGREES_PER_UNIT * centred,
                pitch * DEGREES_PER_UNIT * centred,
            ],
            axis=1,
        )

    def view(self, t: float) -> np.ndarray:
        """3×3 map from a frame point (centred, frame pixels) to the picture point it shows.

        Picture points are centred too, in frame pixels before the base zoom: the picture spans
        ±width·b/2 × ±height·b/2.
        """
        return self._views(np.array([t], dtype=float))[0]

    def _views(self, times: np.ndarray) -> np.ndarray:
        poses = self._poses(times)
        count = len(poses)
        f = self.focal
        lens_in = np.zeros((count, 3, 3))  # frame pixel -> ray
        lens_in[:, 0, 0] = lens_in[:, 1, 1] = 1.0 / (f * poses[:, 2])
        lens_in[:, 2, 2] = 1.0
        lens_out = np.diag([f, f, 1.0])  # ray -> picture plane, at the distance where zoom 1 is 1:1
        slide = np.tile(np.eye(3), (count, 1, 1))
        slide[:, 0, 2], slide[:, 1, 2] = poses[:, 0], poses[:, 1]
        return slide @ lens_out @ _rotations(poses[:, 4], poses[:, 5], poses[:, 3]) @ lens_in

    def matrix(self, t: float, picture_size: tuple[int, int], frame_size: tuple[int, int] | None = None) -> np.ndarray:
        """The map from a frame pixel index to a picture pixel index, as cv2's WARP_INVERSE_MAP takes.

        `picture_size` is the size of the array filmed (the picture, possibly oversampled);
        `frame_size` that of the array filled, when it is not the frame (a half-size chroma
        plane films a half-size picture plane). Pixel centres sit at index + 0.5.
        """
        return self.matrix_of(self.view(t), picture_size, frame_size)

    def matrix_of(
        self, view: np.ndarray, picture_size: tuple[int, int], frame_size: tuple[int, int] | None = None
    ) -> np.ndarray:
        """`matrix` for a view already worked out: the three planes of a frame share one."""
        width, height = frame_size or (self.width, self.height)
        pic_w, pic_h = picture_size
        b = self.base_zoom
        frame_in = np.array(
            [[self.width / width, 0.0, (0.5 - width / 2) * self.width / width],
             [0.0, self.height / height, (0.5 - height / 2) * self.height / height],
             [0.0, 0.0, 1.0]]
        )  # fmt: skip
        picture_out = np.array(
            [[pic_w / (b * self.width), 0.0, pic_w / 2 - 0.5],
             [0.0, pic_h / (b * self.height), pic_h / 2 - 0.5],
             [0.0, 0.0, 1.0]]
        )  # fmt: skip
        return picture_out @ view @ frame_in

    def corners(self, t: float | np.ndarray) -> np.ndarray:
        """The frame's four corners seen on the picture, in units of the picture's half size.

        Every value lies in [-1, 1] when the frame shows only the picture. For an array of
        times, one 4×2 block per time.
        """
        times = np.atleast_1d(np.asarray(t, dtype=float))
        seen = self._seen(times) / self.base_zoom
        return seen[0] if np.ndim(t) == 0 else seen

    def _seen(self, times: np.ndarray) -> np.ndarray:
        """The frame's corners on the picture at base zoom 1, in the picture's half sizes."""
        half = np.array([self.width / 2, self.height / 2])
        frame = np.array([[-1, -1, 1], [1, -1, 1], [1, 1, 1], [-1, 1, 1]], dtype=float) * [*half, 1]
        seen = frame @ np.transpose(self._views(times), (0, 2, 1))  # (times, 4 corners, 3)
        if (seen[..., 2] <= 0).any():
            raise ValueError("the camera turned away from the picture")  # impossible in range
        return seen[..., :2] / seen[..., 2:] / half


def _rotations(yaw: np.ndarray, pitch: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """The camera's rotations: turned by yaw (right +), then tilted (up +), then rolled (clockwise +).

    Image axes: x right, y down, z along the lens. Angles in degrees, one matrix per entry.
    """
    a, b, c = (np.radians(v) for v in (yaw, pitch, roll))
    one, zero = np.ones_like(a), np.zeros_like(a)
    turn = np.stack([np.cos(a), zero, np.sin(a), zero, one, zero, -np.sin(a), zero, np.cos(a)], 1).reshape(-1, 3, 3)
    tilt = np.stack([one, zero, zero, zero, np.cos(b), -np.sin(b), zero, np.sin(b), np.cos(b)], 1).reshape(-1, 3, 3)
    rolled = np.stack([np.cos(c), -np.sin(c), zero, np.sin(c), np.cos(c), zero, zero, zero, one], 1).reshape(-1, 3, 3)
    return turn @ tilt @ rolled


def _clamp(value: float, low: float, high: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(max(value, low), high)
