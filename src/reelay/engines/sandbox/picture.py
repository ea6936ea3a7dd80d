"""Pictures as the encoder takes them: I420, a full-size luma plane and two half-size chroma planes.

Stills are converted once; every frame is then filmed plane by plane straight into the buffer the
encoder reads. Warping one luma and two quarter-size chroma planes costs half of warping RGB,
and no frame is ever converted from RGB.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Planes:
    """One I420 picture: y is height×width, u and v are (height/2)×(width/2)."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        return self.y.shape[1], self.y.shape[0]

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> Planes:
        height, width = rgb.shape[:2]
        if width % 2 or height % 2:
            raise ValueError(f"an I420 picture has an even size; got {width}×{height}")
        return planes_of(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420), width, height)

    def __iter__(self):
        return iter((self.y, self.u, self.v))

    def rgb(self) -> np.ndarray:
        width, height = self.size
        buffer = np.concatenate([self.y.ravel(), self.u.ravel(), self.v.ravel()]).reshape(height * 3 // 2, width)
        return to_rgb(buffer)


def new_frame(width: int, height: int) -> tuple[np.ndarray, Planes]:
    """An empty I420 buffer (the layout the encoder and cv2 share) and views of its planes."""
    buffer = np.empty((height * 3 // 2, width), np.uint8)
    return buffer, planes_of(buffer, width, height)


def planes_of(buffer: np.ndarray, width: int, height: int) -> Planes:
    flat = buffer.reshape(-1)
    luma, chroma = width * height, (width // 2) * (height // 2)
    u = flat[luma : luma + chroma].reshape(height // 2, width // 2)
    v = flat[luma + chroma : luma + 2 * chroma].reshape(height // 2, width // 2)
    return Planes(buffer[:height], u, v)


def to_rgb(buffer: np.ndarray) -> np.ndarray:
    """The RGB picture an I420 frame shows (for the poster and last-frame images)."""
    return cv2.cvtColor(buffer, cv2.COLOR_YUV2RGB_I420)


def even(value: float) -> int:
    """The nearest even whole number, at least 2."""
    return max(2, 2 * round(value / 2))
