"""Reading a task's input video frame by frame for the renders that follow one (video-in, Act-Two),
one frame in memory at a time: its facts, its frames with their times, or the frame showing at each
of a list of times."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import cv2
import numpy as np

DEFAULT_RATE = Fraction(24)


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    rate: Fraction  # frames per second
    duration: float  # seconds


def facts(path: str) -> VideoFacts:
    with av.open(path) as container:
        stream = container.streams.video[0]
        rate = Fraction(stream.average_rate or stream.guessed_rate or DEFAULT_RATE).limit_denominator(1001)
        if container.duration:
            duration = container.duration / av.time_base
        elif stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        else:
            duration = 0.0
        return VideoFacts(stream.codec_context.width, stream.codec_context.height, rate, duration)


def frames(path: str, width: int, height: int) -> Iterator[tuple[float, np.ndarray]]:
    """(time in seconds, I420 buffer at width×height) of each frame, in presentation order."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            time = float(frame.time) if frame.time is not None else index / float(stream.average_rate or 24)
            yield time, _i420(frame, width, height)


def at_times(path: str, times: list[float], width: int, height: int) -> Iterator[np.ndarray]:
    """The RGB frame (cropped to width:height and resized) showing at each time, in order; the
    video plays again from its start for times past its end."""
    for rgb in showing_at(path, times, loop=True):
        yield cover(rgb, width, height)


def showing_at(path: str, times: list[float], *, loop: bool = False) -> Iterator[np.ndarray]:
    """The RGB frame, at the video's own size, showing at each time, in order. Past its end the
    last frame holds, or with `loop` the video plays again from its start."""
    length = max(facts(path).duration, 1e-3) if loop else math.inf
    decoded: Iterator[tuple[float, np.ndarray]] | None = None
    current = upcoming = None
    previous_t = -1.0
    for wanted in times:
        t = wanted % length
        if decoded is None or t < previous_t:  # the start, or the video played again
            decoded = _rgb_frames(path)
            current, upcoming = None, next(decoded, None)
            if upcoming is None:
                raise ValueError(f"{path} has no video frames")
        previous_t = t
        while upcoming is not None and (current is None or upcoming[0] <= t + 1e-6):
            current, upcoming = upcoming, next(decoded, None)
        assert current is not None, "the first frame was read above"
        yield current[1]


def first_frame(path: str) -> np.ndarray:
    return next(showing_at(path, [0.0]))


def _rgb_frames(path: str) -> Iterator[tuple[float, np.ndarray]]:
    """(time since the first frame, RGB frame) of each frame, in presentation order."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start = None
        for index, frame in enumerate(container.decode(stream)):
            time = float(frame.time) if frame.time is not None else index / float(stream.average_rate or 24)
            start = time if start is None else start
            yield time - start, frame.to_ndarray(format="rgb24")


def cover(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """The picture cropped around its centre to width:height, then resized to it."""
    h, w = rgb.shape[:2]
    if w * height > h * width:
        crop = round(h * width / height)
        rgb = rgb[:, (w - crop) // 2 : (w - crop) // 2 + crop]
    else:
        crop = round(w * height / width)
        rgb = rgb[(h - crop) // 2 : (h - crop) // 2 + crop]
    if rgb.shape[1] == width and rgb.shape[0] == height:
        return np.ascontiguousarray(rgb)
    shrinking = rgb.shape[1] > width
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)


def _i420(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    # swscale resizes and converts in one pass; Lanczos keeps an enlargement's edges crisp.
    scaled = frame.reformat(width=width, height=height, format="yuv420p", interpolation="LANCZOS")
    return scaled.to_ndarray()
