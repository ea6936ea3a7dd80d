"""Loading a client's input image from an https URL or a data URI, and proving it decodes.

We decode for real rather than trusting a content type or a file extension: an engine that
gets bytes it cannot read would fail much later, far from the field that caused it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from PIL import Image

from reelay.domain.errors import InputError
from reelay.media.fetch import FetchPolicy, fetch_bytes, format_size

# Pillow format name -> (content type, extension). Nothing else is accepted.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
DATA_URI_TYPES = {"image/jpeg", "image/jpg", "image/png", "image/webp"}
DATA_URI_SHAPE = "data URI must be base64 image/jpeg, image/png or image/webp"

# Magic numbers of formats clients commonly send by mistake, to say which one we refused.
_OTHER_FORMATS = [(b"GIF87a", "GIF"), (b"GIF89a", "GIF"), (b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF")]


@dataclass(frozen=True)
class LoadedImage:
    data: bytes  # the original bytes
    content_type: str  # image/jpeg | image/png | image/webp
    width: int
    height: int
    extension: str  # "jpg" | "png" | "webp"


async def load_image(
    value: str,
    *,
    field: str,
    policy: FetchPolicy,
    url_max_bytes: int,
    data_uri_max_bytes: int,
    max_pixels: int,
    client: httpx.AsyncClient | None = None,
) -> LoadedImage:
    if not isinstance(value, str) or not value:
        raise InputError(field, "must be an https URL or a data URI")
    if value[:5].lower() == "data:":
        data = decode_data_uri(value, field=field, max_bytes=data_uri_max_bytes)
    else:
        fetched = await fetch_bytes(
            value, field=field, policy=policy, max_bytes=url_max_bytes, accept_prefix="image/", client=client
        )
        data = fetched.data
    return await verify_image(data, field=field, max_pixels=max_pixels)


async def verify_image(data: bytes, *, field: str, max_pixels: int) -> LoadedImage:
    """Prove `data` decodes as an accepted image within the pixel limit."""
    # Decoding a large image takes long enough to stall every other request.
    width, height, fmt = await asyncio.to_thread(load_image_sync_decode, data, field=field, max_pixels=max_pixels)
    content_type, extension = FORMATS[fmt]
    return LoadedImage(data=data, content_type=content_type, width=width, height=height, extension=extension)


def decode_data_uri(
    value: str,
    *,
    field: str,
    max_bytes: int,
    accepts: Callable[[str], bool] = DATA_URI_TYPES.__contains__,
    shape: str = DATA_URI_SHAPE,
    noun: str = "image",
) -> bytes:
    """The bytes of a base64 data URI whose media type `accepts` allows (images by default)."""
    header, comma, payload = value[5:].partition(",")
    params = [p.strip().lower() for p in header.split(";")]
    if not comma or not accepts(params[0]) or params[-1] != "base64":
        raise InputError(field, shape)
    payload = "".join(payload.split())  # line breaks are common in pasted base64
    too_big = f"data URI {noun} is larger than the {format_size(max_bytes)} limit"
    # Refuse before decoding: 4 base64 characters carry 3 bytes.
    if len(payload) // 4 * 3 - 2 > max_bytes:
        raise InputError(field, too_big)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(field, "data URI is not valid base64") from None
    if not data:
        raise InputError(field, "data URI is empty")
    if len(data) > max_bytes:
        raise InputError(field, too_big)
    return data


def load_image_sync_decode(data: bytes, *, field: str, max_pixels: int) -> tuple[int, int, str]:
    """Decode `data` fully and return (width, height, Pillow format). Blocking: run in a thread."""
    limit = f"more than the {max_pixels} pixel limit"
    try:
        # open() reads only the header, so the size check below runs before any pixel work.
        # Pillow's own bomb guard (Image.MAX_IMAGE_PIXELS) stays as a second net.
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as img:
            width, height = img.size
            if width * height > max_pixels:
                raise InputError(field, f"image is {width}x{height} pixels, {limit}")
            img.load()
            # Pillow types `format` optional; an image Image.open decoded always names its format.
            assert img.format is not None
            # Camera JPEGs with extra frames open as MPO; the first frame is a plain JPEG.
            return width, height, "JPEG" if img.format == "MPO" else img.format
    except Image.DecompressionBombError:
        raise InputError(field, f"image is {limit}") from None
    except InputError:
        raise
    except Exception:  # Pillow raises many types for damaged files; all mean the same here
        other = next((name for magic, name in _OTHER_FORMATS if data.startswith(magic)), None)
        if other:
            raise InputError(field, f"image is a {other}; only JPEG, PNG and WebP are accepted") from None
        raise InputError(field, "image could not be decoded as JPEG, PNG or WebP") from None
