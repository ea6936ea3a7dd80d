"""What a media file really is: its kind, container, codec, size and duration, read with PyAV
(images with Pillow).

The container is recognised from its first bytes and PyAV is told which demuxer to use, never
left to guess: FFmpeg's guessing would also accept playlists (HLS) and other formats that open
further URLs or files by themselves.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image

from reelay.domain.artifacts import MediaInfo, MediaKind


class Unreadable(ValueError):
    """The bytes are not a file of an accepted kind; the message says what they are instead."""


@dataclass(frozen=True)
class Container:
    name: str  # what we call it in messages: "MP4", "WebM"
    demuxer: str | None  # PyAV's format name; None for images (read with Pillow)
    content_type: str
    kind: MediaKind  # what this container usually holds (an MP4 may hold only audio)
    extension: str


@dataclass(frozen=True)
class Probed:
    info: MediaInfo
    container: Container
    codec: str | None  # of the main stream (video for a video, audio for audio); None for images


_JPEG = Container("JPEG", None, "image/jpeg", MediaKind.IMAGE, "jpg")
_PNG = Container("PNG", None, "image/png", MediaKind.IMAGE, "png")
_WEBP = Container("WebP", None, "image/webp", MediaKind.IMAGE, "webp")
_GIF = Container("GIF", None, "image/gif", MediaKind.IMAGE, "gif")


def sniff(head: bytes) -> Container | None:
    """The container of a file from its first bytes (at least 64), or None if unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _GIF
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return Container("QuickTime", "mov", "video/quicktime", MediaKind.VIDEO, "mov")
        if brand in (b"M4A ", b"M4B "):
            return Container("M4A", "mov", "audio/mp4", MediaKind.AUDIO, "m4a")
        return Container("MP4", "mov", "video/mp4", MediaKind.VIDEO, "mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return Container("WebM", "matroska", "video/webm", MediaKind.VIDEO, "webm")
        return Container("Matroska", "matroska", "video/x-matroska", MediaKind.VIDEO, "mkv")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Container("WAV", "wav", "audio/wav", MediaKind.AUDIO, "wav")
    if head.startswith(b"OggS"):
        return Container("Ogg", "ogg", "audio/ogg", MediaKind.AUDIO, "ogg")
    if head.startswith(b"fLaC"):
        return Container("FLAC", "flac", "audio/flac", MediaKind.AUDIO, "flac")
    if head.startswith(b"ID3"):
        return Container("MP3", "mp3", "audio/mpeg", MediaKind.AUDIO, "mp3")
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # An MPEG audio frame: layer bits 00 are ADTS (AAC), anything else is MP3.
        if head[1] & 0x06 == 0:
            return Container("AAC", "aac", "audio/aac", MediaKind.AUDIO, "aac")
        return Container("MP3", "mp3", "audio/mpeg", MediaKind.AUDIO, "mp3")
    return None


def probe(source: bytes | Path, *, decode: bool = True) -> Probed:
    """Read `source` (bytes, or a file) and say what it is; with `decode`, decode its first
    frame too, to prove it is readable (a client's input). Without, only the headers are read:
    cheap enough for every result a worker stores.

    Blocking: run it in a thread. Raises Unreadable."""
    head = source[:64] if isinstance(source, bytes) else _head(source)
    container = sniff(head)
    if container is None:
        raise Unreadable("is not a recognised image, video or audio file")
    opened = io.BytesIO(source) if isinstance(source, bytes) else source
    if container.demuxer is None:
        return _probe_image(opened, container)
    return _probe_av(opened, container, decode)


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(64)


def _probe_image(source: io.BytesIO | Path, container: Container) -> Probed:
    try:
        with Image.open(source) as image:
            width, height = image.size
    except Exception:  # Pillow raises many types for damaged files; all mean the same here
        raise Unreadable(f"looks like {container.name} but could not be read as an image") from None
    info = MediaInfo(kind=MediaKind.IMAGE, content_type=container.content_type, width=width, height=height)
    return Probed(info=info, container=container, codec=None)


def _probe_av(source: io.BytesIO | Path, container: Container, decode: bool) -> Probed:
    try:
        with av.open(_readable(source), mode="r", format=container.demuxer) as opened:
            videos = [s for s in opened.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
            audios = list(opened.streams.audio)
            if not videos and not audios:
                raise Unreadable(f"is {container.name} with no video or audio in it")
            stream = videos[0] if videos else audios[0]
            # Decoding one frame proves the stream is readable, not just its header.
            if decode and next(opened.decode(stream), None) is None:
                raise Unreadable(f"is {container.name} whose {stream.type} has no frames")
            duration = _duration(opened, stream)
            if videos:
                context = videos[0].codec_context
                rate = videos[0].average_rate or videos[0].guessed_rate
                info = MediaInfo(
                    kind=MediaKind.VIDEO,
                    content_type=container.content_type.replace("audio/", "video/"),
                    width=context.width,
                    height=context.height,
                    duration=duration,
                    frame_rate=round(float(rate), 3) if rate else None,
                )
            else:
                content_type = container.content_type
                if container.kind == MediaKind.VIDEO:  # an MP4 or WebM holding only sound
                    content_type = content_type.replace("video/", "audio/")
                info = MediaInfo(kind=MediaKind.AUDIO, content_type=content_type, duration=duration)
            return Probed(info=info, container=container, codec=stream.codec_context.name)
    except Unreadable:
        raise
    except Exception:  # FFmpeg's errors for damaged files are many; all mean the same here
        raise Unreadable(f"looks like {container.name} but could not be decoded") from None


def _readable(source: io.BytesIO | Path) -> io.BytesIO | str:
    return source if isinstance(source, io.BytesIO) else str(source)


def _duration(opened: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    if opened.duration:
        return round(opened.duration / av.time_base, 3)
    if stream.duration and stream.time_base:
        return round(float(stream.duration * stream.time_base), 3)
    return None
