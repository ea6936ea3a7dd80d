"""The first and last frames of a video, as JPEGs (posters for results that came without one)."""

from __future__ import annotations

from pathlib import Path

import av


def first_and_last_frames(video: Path, poster: Path, last_frame: Path) -> None:
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        first = next(container.decode(stream), None)
        if first is None:
            raise ValueError(f"{video} has no video frames")
        first.to_image().save(poster, format="JPEG", quality=90)
        last = first
        # Jump near the end instead of decoding the whole clip: only the tail is needed.
        if container.duration and container.duration > 2_000_000:
            container.seek(container.duration - 2_000_000, backward=True, any_frame=False)
        for frame in container.decode(stream):
            last = frame
        last.to_image().save(last_frame, format="JPEG", quality=90)
