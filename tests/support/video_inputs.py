"""Small real input videos for the video-in endpoints: a white square crossing a gradient."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import numpy as np

from reelay.engines.sandbox.encode import Mp4Writer


def moving_square(path: Path, width: int = 160, height: int = 96, fps: int = 12, seconds: float = 2) -> Path:
    count = round(fps * seconds)
    with Mp4Writer(path, width, height, fps) as writer:
        for index in range(count):
            frame = np.zeros((height, width, 3), np.uint8)
            frame[..., 2] = np.linspace(30, 120, width, dtype=np.uint8)
            x = 8 + index * (width - 40) // count
            top = height // 3
            frame[top : top + height // 3, x : x + 24] = 255
            writer.write(frame)
    return path


def moving_square_mp4(**size) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return moving_square(Path(folder) / "in.mp4", **size).read_bytes()


def video_data_uri(data: bytes) -> str:
    return "data:video/mp4;base64," + base64.b64encode(data).decode()
