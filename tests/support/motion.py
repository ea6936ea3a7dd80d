"""Small real videos whose picture moves by a known amount: references for Act-Two."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import cv2
import numpy as np


def texture(width: int, height: int, seed: int = 7) -> np.ndarray:
    """A smooth random picture: every patch of it is different, so motion is measurable."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (height // 8, width // 8, 3), dtype=np.uint8)
    return cv2.GaussianBlur(cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC), (0, 0), 1.5)


def panning_video(seconds: float, step: int = 3, size: tuple[int, int] = (160, 96), fps: int = 12) -> bytes:
    """An MP4 of a textured picture moving `step` pixels right every frame."""
    width, height = size
    count = round(seconds * fps)
    wide = texture(width + step * count + 8, height)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as output:
        stream = output.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        for index in range(count):
            left = wide.shape[1] - width - 4 - index * step  # the picture moves right in the frame
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(wide[:, left : left + width]), format="rgb24")
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()
