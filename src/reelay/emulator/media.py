"""The one video (and two stills) every emulated task points at, plus signed, expiring file URLs.

Made once at startup: encoding per task would make the emulator, not the gateway, the bottleneck
in benchmarks, and a gateway only needs bytes that really decode as H.264.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import re
import secrets
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from urllib.parse import urlencode

import av
import numpy as np
from PIL import Image
from starlette.responses import Response

FPS = 24


@dataclass(frozen=True)
class Media:
    mp4: bytes
    poster: bytes  # first frame, JPEG
    last_frame: bytes  # last frame, JPEG
    width: int
    height: int


def parse_size(text: str) -> tuple[int, int]:
    """'320x192' -> (320, 192). H.264 with yuv420p needs even sides."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"video size must look like 320x192, got {text!r}") from None
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise ValueError(f"video size must be even and at least 16x16, got {text!r}")
    return width, height


def _frame(width: int, height: int, index: int, count: int) -> np.ndarray:
    """A diagonal gradient sliding with time, so frames differ and motion is visible."""
    shift = index / count
    xs = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    phase = (xs + ys) / 2 + shift
    red = (np.sin(2 * np.pi * phase) + 1) * 127.5
    green = (np.sin(2 * np.pi * (phase + 1 / 3)) + 1) * 127.5
    blue = np.broadcast_to(np.float32(255 * shift), red.shape)
    return np.stack([red, green, blue], axis=-1).astype(np.uint8)


def _jpeg(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=85)
    return out.getvalue()


def make_media(width: int = 320, height: int = 192, seconds: float = 1.0) -> Media:
    count = max(1, round(seconds * FPS))
    frames = [_frame(width, height, i, count) for i in range(count)]
    # faststart (index first, as CDNs serve MP4s) needs a real file: the muxer rewrites it at the end.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "emulator.mp4"
        _encode(frames, path)
        mp4 = path.read_bytes()
    return Media(mp4, _jpeg(frames[0]), _jpeg(frames[-1]), width, height)


def _encode(frames: list[np.ndarray], path: Path) -> None:
    height, width = frames[0].shape[:2]
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, FPS)
        for index, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


# File names under /files/: the task id plus one of these suffixes.
SUFFIXES = {
    ".mp4": ("mp4", "video/mp4"),
    "_poster.jpg": ("poster", "image/jpeg"),
    "_last.jpg": ("last_frame", "image/jpeg"),
}


class Signer:
    """HMAC-signed URLs with a Unix expiry, like the CDN links Runway hands out."""

    def __init__(self, secret: bytes | None = None):
        self._secret = secret or secrets.token_bytes(32)

    def _sig(self, name: str, exp: int) -> str:
        return hmac.new(self._secret, f"{name}:{exp}".encode(), hashlib.sha256).hexdigest()[:32]

    def url(self, base_url: str, name: str, ttl: float, now: float) -> str:
        # ceil: a URL is good for at least `ttl` seconds even with whole-second expiries.
        exp = math.ceil(now + ttl)
        return f"{base_url.rstrip('/')}/files/{name}?" + urlencode({"exp": exp, "sig": self._sig(name, exp)})

    def check(self, name: str, exp: str | None, sig: str | None, now: float) -> str | None:
        """None when valid, else the reason it is refused."""
        if not exp or not sig or not exp.isdigit():
            return "missing or malformed signature"
        if not hmac.compare_digest(sig, self._sig(name, int(exp))):
            return "invalid signature"
        if now > int(exp):
            return "URL expired"
        return None


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged(data: bytes, content_type: str, range_header: str | None) -> Response:
    """One byte range, as CDNs serve video (resumable downloads)."""
    size = len(data)
    match = _RANGE.match(range_header.strip()) if range_header else None
    if not match or match.groups() == ("", ""):
        return Response(data, media_type=content_type, headers={"accept-ranges": "bytes"})
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:  # suffix range: the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        return Response(status_code=416, headers={"content-range": f"bytes */{size}"})
    return Response(
        data[start : end + 1],
        status_code=206,
        media_type=content_type,
        headers={"accept-ranges": "bytes", "content-range": f"bytes {start}-{end}/{size}"},
    )
