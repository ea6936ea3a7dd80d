"""The MP4 writer: frames encoded on the writer's own thread, in order, errors not lost."""

from __future__ import annotations

import threading

import av
import numpy as np
import pytest

from reelay.engines.sandbox.encode import FRAMES_AHEAD, Mp4Writer

WIDTH, HEIGHT = 64, 48


def grey(level: int) -> np.ndarray:
    return np.full((HEIGHT, WIDTH, 3), level, np.uint8)


def encoder_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("x264")]


def test_frames_come_out_in_the_order_they_went_in(tmp_path):
    levels = [16 + 8 * index for index in range(3 * FRAMES_AHEAD)]  # more than the queue holds
    with Mp4Writer(tmp_path / "ramp.mp4", WIDTH, HEIGHT, 24) as writer:
        for level in levels:
            writer.write(grey(level))

    with av.open(str(tmp_path / "ramp.mp4")) as container:
        decoded = [frame.to_ndarray(format="rgb24").mean() for frame in container.decode(video=0)]
    assert decoded == pytest.approx(levels, abs=3)
    assert encoder_threads() == []


class FailingStream:
    """The real stream, except that encoding its third frame fails (as a full disk would)."""

    def __init__(self, stream) -> None:
        self.stream, self.calls = stream, 0

    def encode(self, frame):
        self.calls += 1
        if self.calls == 3:
            raise OSError("No space left on device")
        return self.stream.encode(frame)


def test_an_encoder_error_reaches_the_writer_and_stops_the_thread(tmp_path):
    written = 0
    with pytest.raises(OSError, match="No space left"), Mp4Writer(tmp_path / "broken.mp4", WIDTH, HEIGHT, 24) as writer:
        writer._stream = FailingStream(writer._stream)
        for _ in range(100):
            writer.write(grey(100))
            written += 1

    assert written <= 3 + FRAMES_AHEAD  # the error stops the caller within the queue's length
    assert encoder_threads() == []


def test_an_aborted_writer_drops_what_waits_and_returns(tmp_path):
    writer = Mp4Writer(tmp_path / "aborted.mp4", WIDTH, HEIGHT, 24)
    for _ in range(FRAMES_AHEAD):
        writer.write(grey(50))
    writer.abort()

    assert encoder_threads() == []
