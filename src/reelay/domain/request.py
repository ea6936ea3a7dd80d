"""The one canonical form of a generation request, whichever dialect it arrived in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MOTION_AXES = ("x", "y", "z", "r", "bg_x_pan", "bg_y_pan")


@dataclass(frozen=True)
class ImageRef:
    """An input image: where the client said it was, and where we keep our copy."""

    uri: str  # as the client gave it (https URL or data URI, truncated for data URIs)
    key: str  # storage key of the decoded, verified bytes
    width: int
    height: int
    content_type: str


@dataclass(frozen=True)
class ImageInput:
    """An image the client named but we have not fetched yet (the dialect's output)."""

    uri: str
    field: str  # the wire name, for errors: "image", "promptImage.1.uri"


@dataclass(frozen=True)
class GenerationRequest:
    dialect: str  # "pro" | "runway"
    kind: str  # catalogue.IMAGE_TO_VIDEO | catalogue.TEXT_TO_VIDEO
    model: str  # the model name as the client gave it
    engine_model: str  # the official model this request is served as
    ratio: str  # as the client gave it ("16:9" or "1280:720")
    width: int
    height: int
    seconds: int
    prompt: str | None = None
    first_image: ImageRef | ImageInput | None = None
    last_image: ImageRef | ImageInput | None = None
    motion: tuple[float, ...] | None = None  # MOTION_AXES order
    seed: int | None = None
    style: str | None = None
    callback_url: str | None = None
    # Dialect-only fields kept so an upstream of the same dialect gets them back verbatim.
    extras: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GenerationRequest:
        data = dict(data)
        for name in ("first_image", "last_image"):
            if data.get(name) is not None:
                data[name] = ImageRef(**data[name])
        if data.get("motion") is not None:
            data["motion"] = tuple(data["motion"])
        return cls(**data)
