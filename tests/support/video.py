"""Reading a produced MP4 back: codec, size, frames, duration."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av


@dataclass
class VideoFacts:
    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: float
    frames: int
    duration: float


def probe(data: bytes) -> VideoFacts:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return VideoFacts(
            codec=stream.codec_context.name,
            pix_fmt=stream.codec_context.pix_fmt,
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            fps=float(stream.average_rate),
            frames=frames,
            duration=frames / float(stream.average_rate),
        )
