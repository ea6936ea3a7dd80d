"""An H.264 MP4 writer that takes frames one at a time: RGB, I420, or filled in place.

The fastest way in is `new_frame()`: the renderer films straight into the planes of the frame
the encoder then takes, so no frame is converted or copied on the way.

Frames are encoded on a thread of the writer's own while the caller films the next ones: x264
(through PyAV) and OpenCV's warps both run without the GIL, so on two cores the camera's work
hides behind the encoder's instead of adding to it (a 10 s clip: 1.6 s → 1.3 s). At most
`FRAMES_AHEAD` frames wait for the encoder, so memory stays flat however long the clip.

x264 runs at its `ultrafast` preset with CABAC and the deblocking filter turned back on. At
1280×720 on one core, `veryfast` costs about 25 ms a frame, more than the whole budget of a
render at a third of real time; `ultrafast` costs a quarter of that, and CABAC and deblocking
give back most of what it drops (17% fewer bits, no blocking in smooth gradients, luma PSNR at
crf 23 as good as `veryfast`'s) for about the same time. Files are about twice `veryfast`'s size.

Every setting that could make two runs differ is pinned, so the same frames always give the
same bytes: a fixed x264 thread count (x264 is deterministic for a given count, and "auto"
depends on the machine), no macroblock-tree rate control (with it, x264's AVX-512 code gave a
different stream on some runs of the same frames; without it, every run matched) and bit-exact
muxing (no library version or creation time in the file).
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Final

import av
import cv2
import numpy as np
from av.container import OutputContainer

from .picture import Planes

CODEC: Final = "libx264"  # Final: its literal type picks PyAV's video add_stream
PRESET = "ultrafast"
X264_PARAMS = "cabac=1:deblock=1,0,0:mbtree=0"
CRF = 23
X264_THREADS = 2
KEYFRAME_SECONDS = 2  # lets a player seek without decoding from the start
FRAMES_AHEAD = 4  # frames filmed but not yet encoded, at most: enough to keep both cores busy

# cv2's RGB->I420 uses the BT.601 matrix in limited range; the stream says so, so that players
# convert back the same way. Primaries and transfer are sRGB's, which BT.709 shares.
BT709 = 1
SMPTE170M = 6  # the BT.601 matrix
LIMITED_RANGE = 1


class Mp4Writer:
    def __init__(
        self, path: str | Path, width: int, height: int, fps: int | Fraction, comment: str | None = None
    ) -> None:
        self.width, self.height = width, height
        self._container: OutputContainer | None = av.open(
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
        stream.time_base = 1 / Fraction(fps)  # one tick a frame: 1001/24000 at NTSC's 23.976
        codec = stream.codec_context
        codec.thread_count = X264_THREADS
        codec.thread_type = "FRAME"
        codec.gop_size = round(KEYFRAME_SECONDS * fps)
        codec.color_primaries, codec.color_trc = BT709, BT709
        codec.colorspace, codec.color_range = SMPTE170M, LIMITED_RANGE
        stream.options = {"preset": PRESET, "crf": str(CRF), "x264-params": X264_PARAMS}
        self._stream = stream
        self.frames = 0
        # One thread, so frames are encoded and muxed in the order they were written.
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="x264")
        self._pending: deque[Future[None]] = deque()

    def write(self, rgb: np.ndarray) -> None:
        """Encodes one RGB frame."""
        if rgb.shape != (self.height, self.width, 3):
            raise ValueError(f"frame is {rgb.shape}, expected {(self.height, self.width, 3)}")
        self.write_i420(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420))  # several times faster than swscale

    def new_frame(self) -> tuple[av.VideoFrame, Planes]:
        """A fresh frame to fill, with numpy views of its Y, U and V planes.

        Fill the planes, then hand the frame to `write_frame`; never reuse it (the encoder keeps it).
        """
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        views = [
            # memoryview: numpy's stubs take no buffer-protocol object before Python 3.12 (the same memory).
            np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
            for plane in frame.planes
        ]
        return frame, Planes(*views)

    def write_frame(self, frame: av.VideoFrame) -> None:
        """Queues the frame for the encoder; waits while `FRAMES_AHEAD` frames already wait.

        An error of the encoder's is raised here (or by `close`), for the frame that met it.
        """
        frame.pts = self.frames
        self.frames += 1
        self._pending.append(self._encoder.submit(self._encode, frame))
        while len(self._pending) > FRAMES_AHEAD or (self._pending and self._pending[0].done()):
            self._pending.popleft().result()

    def _encode(self, frame: av.VideoFrame | None) -> None:
        assert self._container is not None  # abort() waits for this thread before dropping the container
        self._container.mux(self._stream.encode(frame))

    def write_i420(self, buffer: np.ndarray) -> None:
        """Encodes one I420 frame: the luma plane's rows, then U's and V's, (height·3/2)×width.

        The frame is copied: the caller may reuse its buffer at once.
        """
        if buffer.shape != (self.height * 3 // 2, self.width):
            raise ValueError(f"frame is {buffer.shape}, expected {(self.height * 3 // 2, self.width)}")
        self.write_frame(av.VideoFrame.from_ndarray(buffer, format="yuv420p"))

    def close(self) -> None:
        """Flushes the frames the encoder still holds and writes the index."""
        if self._container is None:
            return
        try:
            self._pending.append(self._encoder.submit(self._encode, None))
            while self._pending:
                self._pending.popleft().result()
        finally:
            self.abort()

    def abort(self) -> None:
        """Drops the frames not yet encoded and closes the file (an unfinished one, unless closed)."""
        for waiting in self._pending:
            waiting.cancel()
        self._pending.clear()
        self._encoder.shutdown(wait=True)  # the frame being encoded, if any, finishes first
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
