"""A motion-aware transition from a first picture to a last one, through dense optical flow.

DIS optical flow (OpenCV) is computed once each way between the two pictures, at a reduced size.
The frame at time t warps the first picture forward and the last one backward along the flow
to where things stand at t, then blends the two with weight t: shapes travel from where they
are in the first picture to where they are in the last, instead of fading out in one place and
in at another. The intermediate flows are the linear approximation of Jiang et al., "Super
SloMo" (CVPR 2018):

    F(t→0) = -(1 - t) t F(0→1) + t² F(1→0)        F(t→1) = (1 - t)² F(0→1) - t (1 - t) F(1→0)

At t = 0 the frame is exactly the first picture, at t = 1 exactly the last.
"""

from __future__ import annotations

import cv2
import numpy as np

from .picture import Planes

FLOW_WIDTH = 480  # the flow is measured at most this wide, then enlarged: smooth, and cheap
FLOW_PRESET = cv2.DISOPTICAL_FLOW_PRESET_MEDIUM
RELATIVE_MAPS = hasattr(cv2, "WARP_RELATIVE_MAP")  # OpenCV >= 4.10: offsets, no grid to add


class FlowMorph:
    """Frames between two I420 pictures of the same size, for t in [0, 1]."""

    def __init__(self, first: Planes, last: Planes, *, flow_width: int = FLOW_WIDTH, preset: int = FLOW_PRESET) -> None:
        """`flow_width` and `preset`: pictures a frame apart (the diffusers engine's 16 → 24 fps)
        move little, and do with a smaller, faster flow."""
        if first.size != last.size:
            raise ValueError(f"the two pictures differ in size: {first.size} and {last.size}")
        self.first, self.last = first, last
        width, height = first.size
        scale = min(1.0, flow_width / width)
        small = (max(8, round(width * scale)), max(8, round(height * scale)))
        a = cv2.resize(first.y, small, interpolation=cv2.INTER_AREA)
        b = cv2.resize(last.y, small, interpolation=cv2.INTER_AREA)
        forward, backward = trusted(dense_flow(a, b, preset), dense_flow(b, a, preset))
        # Both flows at the size of each plane, once: a frame only mixes them.
        self.flows = {}
        for plane in (first.y, first.u):
            size = (plane.shape[1], plane.shape[0])
            factor = np.array([size[0] / small[0], size[1] / small[1]], np.float32)
            self.flows[size] = tuple(
                cv2.resize(flow * factor, size, interpolation=cv2.INTER_LINEAR) for flow in (forward, backward)
            )

    def frame_into(self, t: float, out: Planes) -> None:
        """Writes the frame at t into `out` (I420 planes of the pictures' size)."""
        if t <= 0.0 or t >= 1.0:
            for target, plane in zip(out, self.first if t <= 0.0 else self.last, strict=True):
                target[...] = plane
            return
        maps: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        for target, first, last in zip(out, self.first, self.last, strict=True):
            size = (target.shape[1], target.shape[0])
            if size not in maps:  # U and V share theirs
                forward, backward = self.flows[size]
                to_first = cv2.addWeighted(forward, -(1 - t) * t, backward, t * t, 0.0)
                to_last = cv2.addWeighted(forward, (1 - t) * (1 - t), backward, -t * (1 - t), 0.0)
                maps[size] = to_first, to_last
            to_first, to_last = maps[size]
            from_first = _warp(first, to_first)
            from_last = _warp(last, to_last)
            target[...] = cv2.addWeighted(from_first, 1.0 - t, from_last, t, 0.0)


def dense_flow(a: np.ndarray, b: np.ndarray, preset: int = FLOW_PRESET) -> np.ndarray:
    """Where each pixel of a went in b (DIS), found around the pictures' overall shift.

    DIS refines motion locally, from coarse to fine, and loses what moves further than its
    coarsest patches reach. So the overall shift (phase correlation) is taken out of b first
    and added back to what DIS finds: a camera's pan between the two pictures is followed
    however long it is.
    """
    window = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
    (dx, dy), confidence = cv2.phaseCorrelate(a.astype(np.float32), b.astype(np.float32), window)
    if confidence < 0.05:
        dx = dy = 0.0
    shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
    centred = cv2.warpAffine(b, shift, (b.shape[1], b.shape[0]), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                             borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    # OpenCV's generated stubs make `flow` (an output array, None to have one made) a required array.
    flow = cv2.DISOpticalFlow.create(preset).calc(a, centred, None)  # type: ignore[call-overload]
    flow += np.array([dx, dy], np.float32)
    return flow


def trusted(forward: np.ndarray, backward: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The flows, faded out where they disagree with each other.

    Following a flow and then the other one back should return to the start; where it does not
    (occlusions, or two unrelated pictures) the flow is a guess, and the transition falls back
    smoothly towards a dissolve there instead of smearing the picture along a wrong motion.
    """
    return forward * _agreement(forward, backward), backward * _agreement(backward, forward)


def _agreement(flow: np.ndarray, other: np.ndarray) -> np.ndarray:
    there = _warp(other, flow)  # the other flow, read where this one lands
    miss = np.sum((flow + there) ** 2, axis=2)
    allowed = 0.01 * (np.sum(flow**2, axis=2) + np.sum(there**2, axis=2)) + 0.5
    weight = np.exp(-miss / (4.0 * allowed)).astype(np.float32)
    blur = max(1.0, flow.shape[1] / 160)
    return cv2.GaussianBlur(weight, (0, 0), blur)[..., None]


def _warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Each pixel p takes the image's value at p + flow(p) (bilinear; edges repeat)."""
    if RELATIVE_MAPS:
        return cv2.remap(image, flow, None, cv2.INTER_LINEAR | cv2.WARP_RELATIVE_MAP, borderMode=cv2.BORDER_REPLICATE)
    height, width = flow.shape[:2]
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return cv2.remap(image, flow + np.dstack([xs, ys]), None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
