"""Small real video and audio files, encoded by PyAV on the spot."""

from __future__ import annotations

import base64
import io
from fractions import Fraction

import av
import numpy as np

# container -> (PyAV format, video codec, pixel format)
VIDEO_FORMATS = {
    "mp4": ("mp4", "h264", "yuv420p"),
    "webm": ("webm", "libvpx", "yuv420p"),
    "mov": ("mov", "mpeg4", "yuv420p"),
}
# container -> (PyAV format, audio codec, sample format)
AUDIO_FORMATS = {
    "mp3": ("mp3", "libmp3lame", "s16p"),
    "wav": ("wav", "pcm_s16le", "s16"),
    "flac": ("flac", "flac", "s16"),
}


def make_video(seconds: float = 1.0, width: int = 64, height: int = 48, fps: int = 12, container: str = "mp4") -> bytes:
    fmt, codec, pix_fmt = VIDEO_FORMATS[container]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=fmt) as output:
        stream = output.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        for index in range(round(seconds * fps)):
            level = 16 + (index * 8) % 200
            frame = av.VideoFrame.from_ndarray(np.full((height, width, 3), level, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()


def make_audio(seconds: float = 1.0, container: str = "mp3", rate: int = 22050) -> bytes:
    fmt, codec, _sample_format = AUDIO_FORMATS[container]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=fmt) as output:
        stream = output.add_stream(codec, rate=rate, layout="mono")
        chunk = 1152
        samples = (np.sin(np.arange(int(seconds * rate)) * 440 * 2 * np.pi / rate) * 8000).astype(np.int16)
        for start in range(0, len(samples), chunk):
            piece = samples[start : start + chunk].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(piece, format="s16", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()


def data_uri(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"
