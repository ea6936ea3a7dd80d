"""The first and last frames of a video, as JPEGs (posters for results that came without one)."""

from __future__ import annotations

from pathlib import Path

import av


def first_and_last_frames(video: Path, poster: Path, last_frame: Path) -> None:
    first = last = None
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            if first is None:
                first = frame.to_image()
            last = frame
    if first is None:
        raise ValueError(f"{video} has no video frames")
    first.save(poster, format="JPEG", quality=90)
    last.to_image().save(last_frame, format="JPEG", quality=90)
