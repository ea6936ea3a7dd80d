"""The emulator's image endpoints: text_to_image and image_upscale answer with real PNGs of the
size the body asks for (made when first downloaded, and kept for a few tasks)."""

from __future__ import annotations

import base64
import binascii
import functools
import io
from typing import Any

import numpy as np
from PIL import Image

IMAGE_ENDPOINTS = ("text_to_image", "image_upscale")
UNKNOWN_INPUT = (512, 512)  # an upscale input given by URL (the emulator fetches nothing)
IMAGE_SUFFIX = "_image{}.png"


def is_image_task(endpoint: str) -> bool:
    return endpoint.rstrip("/").rsplit("/", 1)[-1] in IMAGE_ENDPOINTS


def image_count(body: Any) -> int:
    count = body.get("outputCount") if isinstance(body, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= 10 else 1


def image_size(endpoint: str, body: Any) -> tuple[int, int]:
    body = body if isinstance(body, dict) else {}
    if endpoint.endswith("image_upscale"):
        factor = body.get("scaleFactor") if body.get("scaleFactor") in (2, 4, 8, 16) else 2
        width, height = _data_uri_size(body.get("imageUri")) or UNKNOWN_INPUT
        return width * factor, height * factor
    parts = str(body.get("ratio", "")).split(":")
    if len(parts) == 2 and all(part.isdigit() and int(part) > 0 for part in parts):
        return int(parts[0]), int(parts[1])
    return 1024, 1024


def _data_uri_size(uri: Any) -> tuple[int, int] | None:
    if not isinstance(uri, str) or not uri.startswith("data:") or "," not in uri:
        return None
    try:
        with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as image:
            return image.size
    except (binascii.Error, ValueError, OSError):
        return None


@functools.lru_cache(maxsize=8)
def png(width: int, height: int, index: int) -> bytes:
    """A width×height PNG: a gradient whose hue depends on `index`, so a task's images differ."""
    xs = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    ys = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    red = np.broadcast_to(xs, (height, width))
    green = np.broadcast_to(ys, (height, width))
    blue = np.full((height, width), (index * 67) % 256, np.float32)
    rgb = np.stack([red, green, blue], axis=-1).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG", compress_level=1)
    return out.getvalue()
