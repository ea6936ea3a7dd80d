"""The virtual camera: where it looks at each moment of a clip, and the frame it films there.

A pose is relative to the still it films: scale 1 with no offset and no roll shows the whole
still, exactly. Every pose is kept inside the still (the camera zooms in as far as its pan and
roll need), so no frame ever shows what lies outside the picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# How far one unit of motion_vector (range -10..10) moves the camera over a whole clip.
ZOOM_PER_UNIT = 0.025  # +25% closer at |z| = 10
PAN_PER_UNIT = 0.008  # 8% of the frame at |x| = 10
ROLL_PER_UNIT = 0.5  # degrees: 5 at |r| = 10
BACKGROUND_PAN_SHARE = 0.5  # one layer only: a background pan moves the whole picture, less
PUSH_IN = 0.08  # the default move when the request names none


def ease(t: float) -> float:
    """Starts and stops gently: a camera operator never jerks the rig."""
    t = min(max(t, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * t)


@dataclass(frozen=True)
class Pose:
    scale: float = 1.0  # 2 shows half the still's width
    dx: float = 0.0  # where the camera looks, from the still's centre, in frame widths (right +)
    dy: float = 0.0  # ... in frame heights (down +)
    roll: float = 0.0  # degrees



@dataclass(frozen=True)
class CameraMove:
    """A move from the whole still (t=0) to the end pose (t=1)."""

    zoom: float = 0.0  # extra scale at the end: 0.2 ends 20% closer
    pan_x: float = 0.0  # frame widths, camera moves right when positive
    pan_y: float = 0.0  # frame heights, camera moves up when positive
    roll: float = 0.0  # degrees, clockwise when positive

    @classmethod
    def from_motion(cls, motion: tuple[float, ...] | None) -> CameraMove:
        """Maps Runway's motion_vector (x, y, z, r, bg_x_pan, bg_y_pan); None is a slow push-in.

        A still has nothing outside its frame, so a zoom out (z < 0) is filmed with the same
        strength as a zoom in; it reads as a zoom out when the clip ends on the still.
        """
        if motion is None:
            return cls(zoom=PUSH_IN)
        x, y, z, r, bg_x, bg_y = (_clamp(float(value), -10.0, 10.0) for value in motion)
        return cls(
            zoom=abs(z) * ZOOM_PER_UNIT,
            pan_x=_clamp(x + BACKGROUND_PAN_SHARE * bg_x, -10.0, 10.0) * PAN_PER_UNIT,
            pan_y=_clamp(y + BACKGROUND_PAN_SHARE * bg_y, -10.0, 10.0) * PAN_PER_UNIT,
            roll=r * ROLL_PER_UNIT,
        )

    def pose(self, t: float, aspect: float) -> Pose:
        """The pose at t in [0, 1] for a frame of width/height `aspect`."""
        e = ease(t)
        dx, dy, roll = self.pan_x * e, -self.pan_y * e, self.roll * e
        scale = max(1.0 + self.zoom * e, covering_scale(dx, dy, roll, aspect))
        return Pose(scale, dx, dy, roll)


def covering_scale(dx: float, dy: float, roll: float, aspect: float) -> float:
    """The least scale at which a frame offset by (dx, dy) and rolled stays inside the still.

    The rolled frame's half extent along x, in frame widths, is (|cos| + |sin| / aspect) / 2;
    scaled down by `scale` and shifted by |dx| it must stay within the still's half width.
    """
    cos, sin = abs(math.cos(math.radians(roll))), abs(math.sin(math.radians(roll)))
    need_x = 0.5 * (cos + sin / aspect) / (0.5 - min(abs(dx), 0.49))
    need_y = 0.5 * (cos + sin * aspect) / (0.5 - min(abs(dy), 0.49))
    return max(1.0, need_x, need_y)


def film(still: np.ndarray, pose: Pose, width: int, height: int) -> np.ndarray:
    """The width×height frame the camera sees at `pose`.

    `still` may be larger than the frame (same aspect): a zoom then samples real detail instead
    of enlarging pixels.
    """
    matrix = view_matrix(pose, (still.shape[1], still.shape[0]), (width, height))
    return cv2.warpAffine(
        still,
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,  # only rounding can reach the edge; never show black
    )


def view_matrix(pose: Pose, still_size: tuple[int, int], frame_size: tuple[int, int]) -> np.ndarray:
    """The 2×3 affine map from a frame pixel to the still's pixel it shows (cv2's inverse map).

    Pixel centres sit at +0.5, so the identity pose on a still of the frame's size maps each
    pixel onto itself.
    """
    (still_w, still_h), (width, height) = still_size, frame_size
    to_still = np.array([still_w / width, still_h / height])
    angle = math.radians(pose.roll)
    rotate = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    linear = np.diag(to_still) @ rotate / pose.scale
    centre = np.array([width / 2, height / 2])
    look_at = centre + np.array([pose.dx * width, pose.dy * height])
    shift = linear @ (0.5 - centre) + to_still * look_at - 0.5
    return np.hstack([linear, shift[:, None]])


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)
