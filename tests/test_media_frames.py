"""Posters for upstream results that came without one: the video's own first and last frames."""

import asyncio
import os
import signal

import av
import numpy as np
from PIL import Image

from reelay.media import frames_pool
from reelay.media.frames import first_and_last_frames
from reelay.media.frames_pool import make_first_and_last_frames


def rising_shades(path, seconds=5):
    """A clip whose shade rises frame by frame: frame i is 2·i grey."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(24 * seconds):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 2, dtype=np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def shade(path) -> float:
    return float(np.asarray(Image.open(path)).mean())


def test_poster_is_the_first_frame_and_last_frame_the_last(tmp_path):
    video = rising_shades(tmp_path / "clip.mp4")
    first_and_last_frames(video, tmp_path / "poster.jpg", tmp_path / "last.jpg")
    assert abs(shade(tmp_path / "poster.jpg") - 0) < 4
    assert abs(shade(tmp_path / "last.jpg") - 119 * 2) < 4


def test_the_frames_are_made_in_a_process_of_their_own_which_is_replaced_if_it_dies(tmp_path):
    video = rising_shades(tmp_path / "clip.mp4", seconds=2)

    async def make(name: str) -> None:
        await make_first_and_last_frames(video, tmp_path / f"{name}-poster.jpg", tmp_path / f"{name}-last.jpg")

    try:
        asyncio.run(make("one"))
        helper = next(iter(frames_pool._pool()._processes))
        assert helper != os.getpid()
        os.kill(helper, signal.SIGKILL)  # as the kernel's OOM killer would

        asyncio.run(make("two"))
        assert abs(shade(tmp_path / "two-poster.jpg") - 0) < 4
        assert abs(shade(tmp_path / "two-last.jpg") - 47 * 2) < 4
        assert next(iter(frames_pool._pool()._processes)) != helper
    finally:
        frames_pool.shutdown()  # this test's process runs on: its helper must not
