"""Loading a client's input video or audio (https URL or data URI) and proving what it is.

The same address rules as images (media/fetch.py: public addresses only, after DNS and
redirects), size limits of their own, and a real probe: the container is recognised, a frame
is decoded, and the duration and frame size are checked before any engine sees the file.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from reelay.domain.artifacts import MediaInfo, MediaKind
from reelay.domain.errors import InputError
from reelay.media.fetch import FetchPolicy, fetch_bytes
from reelay.media.images import decode_data_uri
from reelay.media.probe import Unreadable, probe

# What each kind is called in messages, and the containers it may come in.
ACCEPTED = {
    MediaKind.VIDEO: "MP4, MOV, WebM or MKV",
    MediaKind.AUDIO: "MP3, AAC, M4A, WAV, FLAC or Ogg",
}


@dataclass(frozen=True)
class MediaLimits:
    url_max_bytes: int
    data_uri_max_bytes: int
    max_seconds: float
    max_pixels: int  # of one video frame


@dataclass(frozen=True)
class LoadedMedia:
    data: bytes
    info: MediaInfo
    extension: str  # "mp4", "webm", "mp3", ...
    codec: str | None


async def read_media(
    value: str,
    *,
    field: str,
    kind: MediaKind,
    policy: FetchPolicy,
    limits: MediaLimits,
    client: httpx.AsyncClient | None = None,
) -> bytes:
    """The bytes behind an https URL or a data URI of `kind` (video or audio), unverified."""
    if not isinstance(value, str) or not value:
        raise InputError(field, "must be an https URL or a data URI")
    if value[:5].lower() == "data:":
        return decode_data_uri(
            value,
            field=field,
            max_bytes=limits.data_uri_max_bytes,
            accepts=lambda media_type: media_type.startswith(f"{kind}/"),
            shape=f"data URI must be base64 {kind}/*",
            noun=str(kind),
        )
    fetched = await fetch_bytes(
        value, field=field, policy=policy, max_bytes=limits.url_max_bytes, accept_prefix=f"{kind}/", client=client
    )
    return fetched.data


async def verify_media(data: bytes, *, field: str, kind: MediaKind, limits: MediaLimits) -> LoadedMedia:
    """Prove `data` is a readable `kind` (video or audio) within the limits; InputError if not."""
    try:
        probed = await asyncio.to_thread(probe, data)
    except Unreadable as error:
        raise InputError(field, f"file {error}; expected {kind} ({ACCEPTED[kind]})") from None
    info = probed.info
    if info.kind != kind:
        found = (
            f"a {probed.container.name} image"
            if info.kind == MediaKind.IMAGE
            else f"{info.kind} ({probed.container.name})"
        )
        raise InputError(field, f"is {found}; expected {kind} ({ACCEPTED[kind]})")
    if info.duration is not None and info.duration > limits.max_seconds:
        raise InputError(
            field, f"{kind} is {info.duration:g} seconds long, more than the {limits.max_seconds:g} second limit"
        )
    if info.width and info.height and info.width * info.height > limits.max_pixels:
        raise InputError(
            field, f"{kind} frames are {info.width}x{info.height} pixels, more than the {limits.max_pixels} pixel limit"
        )
    return LoadedMedia(data=data, info=info, extension=probed.container.extension, codec=probed.codec)
