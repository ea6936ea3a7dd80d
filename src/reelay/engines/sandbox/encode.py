"""An H.264 MP4 writer that takes RGB frames one at a time.

Every setting that could make two runs differ is pinned, so the same frames always give the
same bytes: a fixed x264 thread count (x264 is deterministic for a given count, and "auto"
depends on the machine), no macroblock-tree rate control (with it, x264's AVX-512 code gave a
different stream on some runs of the same frames; without it, every run matched) and bit-exact
muxing (no library version or creation time in the file).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np

CODEC = "libx264"
PRESET = "veryfast"
CRF = 23
X264_THREADS = 2
KEYFRAME_SECONDS = 2  # lets a player seek without decoding from the start

# cv2's RGB->I420 uses the BT.601 matrix in limited range; the stream says so, so that players
# convert back the same way. Primaries and transfer are sRGB's, which BT.709 shares.
BT709 = 1
SMPTE170M = 6  # the BT.601 matrix
LIMITED_RANGE = 1


class Mp4Writer:
    def __init__(self, path: str | Path, width: int, height: int, fps: int, comment: str | None = None) -> None:
        self.width, self.height = width, height
        self._container = av.open(
            str(path),
            "w",
            format="mp4",
            # faststart: the index goes first, so a browser can play while it downloads.
            options={"movflags": "+faststart", "fflags": "+bitexact"},
        )
        if comment:
            self._container.metadata["comment"] = comment  # the file says what made it
        stream = self._container.add_stream(CODEC, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        codec = stream.codec_context
        codec.thread_count = X264_THREADS
        codec.thread_type = "FRAME"
        codec.gop_size = KEYFRAME_SECONDS * fps
        codec.color_primaries, codec.color_trc = BT709, BT709
        codec.colorspace, codec.color_range = SMPTE170M, LIMITED_RANGE
        stream.options = {"preset": PRESET, "crf": str(CRF), "x264-params": "mbtree=0"}
        self._stream = stream
        self.frames = 0

    def write(self, rgb: np.ndarray) -> None:
        """Encodes one RGB frame."""
        if rgb.shape != (self.height, self.width, 3):
            raise ValueError(f"frame is {rgb.shape}, expected {(self.height, self.width, 3)}")
        self.write_i420(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420))  # several times faster than swscale

    def write_i420(self, buffer: np.ndarray) -> None:
        """Encodes one I420 frame: the luma plane's rows, then U's and V's, (height·3/2)×width.

        The frame is copied: the caller may reuse its buffer at once.
        """
        if buffer.shape != (self.height * 3 // 2, self.width):
            raise ValueError(f"frame is {buffer.shape}, expected {(self.height * 3 // 2, self.width)}")
        frame = av.VideoFrame.from_ndarray(buffer, format="yuv420p")
        frame.pts = self.frames
        self._container.mux(self._stream.encode(frame))
        self.frames += 1

    def close(self) -> None:
        """Flushes the frames the encoder still holds and writes the index."""
        if self._container is None:
            return
        try:
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()
            self._container = None

    def abort(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()
