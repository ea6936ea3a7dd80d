"""Shots: what the clip shows at each moment t in [0, 1], one frame at a time.

A shot only fills the frame at t, plane by plane, into a buffer the renderer hands it; the
renderer decides how many frames there are and streams them to the encoder, so a shot never
holds more than its pictures.
"""

from __future__ import annotations

from typing import Protocol

import cv2

from .camera import CameraPath, ease
from .flow import FlowMorph
from .picture import Planes
from .titlecard import TextOverlay

WARP = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
# The camera's path keeps every view inside the picture; replicating the edge only covers the
# last fraction of a pixel that rounding could reach. Never black.
EDGE = cv2.BORDER_REPLICATE


class Shot(Protocol):
    def frame_into(self, t: float, out: Planes) -> None: ...


class CameraShot:
    """The camera filming one picture along its path, with an optional steady text overlay."""

    def __init__(self, picture: Planes, path: CameraPath, overlay: TextOverlay | None = None) -> None:
        self.picture, self.path, self.overlay = picture, path, overlay

    def frame_into(self, t: float, out: Planes) -> None:
        view = self.path.view(t)
        for target, plane in zip(out, self.picture, strict=True):
            size = (target.shape[1], target.shape[0])
            matrix = self.path.matrix_of(view, (plane.shape[1], plane.shape[0]), size)
            cv2.warpPerspective(plane, matrix, size, dst=target, flags=WARP, borderMode=EDGE)
        if self.overlay is not None:
            self.overlay.apply(out)


class Transition:
    """From a first picture to a last one along their optical flow, easing in and out."""

    def __init__(self, first: Planes, last: Planes) -> None:
        self.morph = FlowMorph(first, last)

    def frame_into(self, t: float, out: Planes) -> None:
        self.morph.frame_into(ease(t), out)
