"""Input videos read frame by frame for the renderers that follow one (Act-Two, restyles),
and the loop that films their output.

A source is read at the output's frame rate: output frame k shows the source frame on screen at
k / fps, the last one held if the source is shorter. Frames stream from the decoder one at a
time, so memory does not grow with the clip.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from .encode import Mp4Writer
from .picture import Planes
from .render import COMMENT, PROGRESS_REPORTS, RenderCancelled, RenderResult, _save_jpeg


def frames_at(path: str, fps: int, count: int) -> Iterator[np.ndarray]:
    """The RGB source frame on screen at each of `count` output times k / fps."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        decoded = container.decode(stream)
        current = next(decoded, None)
        if current is None:
            raise ValueError(f"{path} has no video frames")
        start = _time(current, 0)
        upcoming = next(decoded, None)
        index = 1
        for k in range(count):
            due = start + k / fps + 1e-6
            while upcoming is not None and _time(upcoming, index) <= due:
                current, upcoming, index = upcoming, next(decoded, None), index + 1
            yield current.to_ndarray(format="rgb24")


def first_frame(path: str) -> np.ndarray:
    return next(frames_at(path, 1, 1))


def _time(frame: av.VideoFrame, index: int) -> float:
    return float(frame.time) if frame.time is not None else float(index) / 24.0


def cover(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """The picture cropped around its centre to width:height and resized to it."""
    tall, wide = rgb.shape[:2]
    if wide * height > tall * width:
        crop = round(tall * width / height)
        rgb = rgb[:, (wide - crop) // 2 : (wide - crop) // 2 + crop]
    else:
        crop = round(wide * height / width)
        rgb = rgb[(tall - crop) // 2 : (tall - crop) // 2 + crop]
    if rgb.shape[1] == width and rgb.shape[0] == height:
        return np.ascontiguousarray(rgb)
    shrinking = rgb.shape[1] > width
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def film(
    out_dir: str,
    size: tuple[int, int],
    fps: int,
    count: int,
    seed: int,
    fill: Callable[[int, Planes], None],
    progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> RenderResult:
    """video.mp4, poster.jpg and last_frame.jpg in `out_dir`, frame k filled by fill(k, planes);
    nothing is left behind when cancelled."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = RenderResult(str(out / "video.mp4"), str(out / "poster.jpg"), str(out / "last_frame.jpg"), count)
    report_every = math.ceil(count / PROGRESS_REPORTS)
    try:
        with Mp4Writer(result.video, *size, fps, comment=f"{COMMENT}, seed {seed}") as writer:
            for index in range(count):
                if should_cancel is not None and should_cancel():
                    raise RenderCancelled(f"cancelled after {index} of {count} frames")
                frame, planes = writer.new_frame()
                fill(index, planes)
                if index == 0:
                    _save_jpeg(planes, result.poster)
                writer.write_frame(frame)
                if progress is not None and (index + 1) % report_every == 0 and index + 1 < count:
                    progress((index + 1) / count)
        _save_jpeg(planes, result.last_frame)
    except RenderCancelled:
        for name in (result.video, result.poster, result.last_frame):
            Path(name).unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(1.0)
    return result


def put_rgb(rgb: np.ndarray, planes: Planes) -> None:
    """Writes an RGB picture of the planes' size into them."""
    width, height = planes.size
    i420 = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420)
    planes.y[...] = i420[:height]
    chroma = i420[height:].reshape(-1)
    quarter = (width // 2) * (height // 2)
    planes.u[...] = chroma[:quarter].reshape(height // 2, width // 2)
    planes.v[...] = chroma[quarter:].reshape(height // 2, width // 2)
