"""A task's results as typed artifacts: what each file is, where it is stored, and its size.

A task produces an ordered list of them: today a video, its poster and its last frame; later
four images, or one upscaled image. The dialects render their fixed answers from the list.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any


class MediaKind(StrEnum):
    VIDEO = "video"
    IMAGE = "image"
    AUDIO = "audio"


# Roles a result plays. A task has at most one of each, except IMAGE (e.g. four images).
VIDEO = "video"
POSTER = "poster"  # the video's first frame
LAST_FRAME = "last_frame"  # the video's last frame
IMAGE = "image"


@dataclass(frozen=True)
class MediaInfo:
    """What probing a file found: its kind, content type and, where they apply, its size."""

    kind: MediaKind
    content_type: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds (video, audio)
    frame_rate: float | None = None  # frames per second (video)


@dataclass(frozen=True)
class Artifact:
    """One stored result of a task."""

    kind: MediaKind
    role: str  # VIDEO, POSTER, LAST_FRAME, IMAGE
    key: str  # storage key
    content_type: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    frame_rate: float | None = None

    @classmethod
    def of(cls, role: str, key: str, info: MediaInfo) -> Artifact:
        return cls(
            kind=info.kind,
            role=role,
            key=key,
            content_type=info.content_type,
            width=info.width,
            height=info.height,
            duration=info.duration,
            frame_rate=info.frame_rate,
        )

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Artifact:
        known = {f.name for f in fields(cls)}
        values = {name: value for name, value in data.items() if name in known}
        values["kind"] = MediaKind(values["kind"])
        return cls(**values)


def find(results: tuple[Artifact, ...], role: str) -> Artifact | None:
    """The first result playing `role`, if any."""
    return next((artifact for artifact in results if artifact.role == role), None)


def primary(results: tuple[Artifact, ...]) -> tuple[Artifact, ...]:
    """The results the client asked for (a video, or N images), without the stills made from a
    video (its poster and last frame)."""
    return tuple(artifact for artifact in results if artifact.role not in (POSTER, LAST_FRAME))


def results_to_json(results: tuple[Artifact, ...]) -> list[dict[str, Any]]:
    return [artifact.to_json() for artifact in results]


def results_from_json(data: list[dict[str, Any]] | None) -> tuple[Artifact, ...]:
    return tuple(Artifact.from_json(item) for item in data or [])
