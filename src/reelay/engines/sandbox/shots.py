"""Shots: what the clip shows at each moment t in [0, 1], one frame at a time.

A shot only answers `frame(t)`; the renderer decides how many frames and streams them to the
encoder, so a shot never holds more than its stills.
"""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np

from .camera import CameraMove, ease, film


class Shot(Protocol):
    def frame(self, t: float) -> np.ndarray: ...


class CameraShot:
    """The camera moving over one still; `ending_on_still` plays the move backwards."""

    def __init__(self, still: np.ndarray, move: CameraMove, width: int, height: int, *, ending_on_still: bool = False):
        self.still, self.move = still, move
        self.width, self.height = width, height
        self.ending_on_still = ending_on_still

    def frame(self, t: float) -> np.ndarray:
        pose = self.move.pose(1.0 - t if self.ending_on_still else t, self.width / self.height)
        return film(self.still, pose, self.width, self.height)


class Crossfade:
    """From one shot to another, dissolving through the middle half of the clip.

    Starts exactly on `first` and ends exactly on `last`; each keeps moving under the dissolve.
    """

    START, END = 0.25, 0.75

    def __init__(self, first: Shot, last: Shot):
        self.first, self.last = first, last

    def frame(self, t: float) -> np.ndarray:
        mix = ease((t - self.START) / (self.END - self.START))
        if mix <= 0.0:
            return self.first.frame(t)
        if mix >= 1.0:
            return self.last.frame(t)
        return cv2.addWeighted(self.first.frame(t), 1.0 - mix, self.last.frame(t), mix, 0.0)
