"""The one canonical form of a generation request, whichever dialect it arrived in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .artifacts import MediaKind

MOTION_AXES = ("x", "y", "z", "r", "bg_x_pan", "bg_y_pan")

# The part an input plays in a task.
FIRST = "first"  # the first frame (image)
LAST = "last"  # the last frame (image)
REFERENCE = "reference"  # a reference image, with an optional tag
VIDEO = "video"  # the video to transform or upscale
CHARACTER = "character"  # the character to animate (image or video)
AUDIO = "audio"  # reference audio
SOURCE = "source"  # the image to upscale

# Dialects whose requests carry Runway's official fields (the OpenAI dialect's creates are
# translated into official bodies), so an upstream sends them as an official request.
OFFICIAL_SHAPED = ("runway", "openai")


@dataclass(frozen=True)
class MediaInput:
    """A file the client named but we have not fetched yet (the dialect's output): an https URL,
    a data URI or a `runway://` upload."""

    uri: str
    field: str  # the wire name, for errors: "image", "promptImage.1.uri"
    kind: MediaKind = MediaKind.IMAGE  # what the field expects
    role: str = FIRST
    tag: str | None = None  # a reference image's name in the prompt (@tag)
    seconds: tuple[float, float] | None = None  # the length a video must have (least, most)
    max_seconds: float | None = None  # the endpoint's own limit on a video's length, if lower


@dataclass(frozen=True)
class MediaRef:
    """An input after submission: where the client said it was, where we keep our verified copy,
    and what probing it found."""

    uri: str  # as the client gave it (URL or upload URI; data URIs truncated)
    key: str  # storage key of the verified bytes
    width: int | None
    height: int | None
    content_type: str
    kind: MediaKind = MediaKind.IMAGE
    role: str = FIRST
    tag: str | None = None
    duration: float | None = None  # seconds (video, audio)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MediaRef:
        return cls(**{**data, "kind": MediaKind(data.get("kind", MediaKind.IMAGE))})


Input = MediaInput | MediaRef


@dataclass(frozen=True)
class GenerationRequest:
    dialect: str  # "pro" | "runway" | "openai"
    kind: str  # catalogue.IMAGE_TO_VIDEO | catalogue.TEXT_TO_VIDEO
    model: str  # the model name as the client gave it
    engine_model: str  # the official model this request is served as
    ratio: str  # as the client gave it ("16:9" or "1280:720")
    width: int
    height: int
    seconds: int  # 0 for images
    prompt: str | None = None
    inputs: tuple[Input, ...] = ()  # images, videos and audio, in the order the client gave them
    motion: tuple[float, ...] | None = None  # MOTION_AXES order
    seed: int | None = None
    style: str | None = None
    callback_url: str | None = None
    count: int = 1  # how many results to make (text_to_image's outputCount)
    # Sandbox markers given apart from the prompt (the X-Reelay-Sandbox header), for endpoints
    # that have no prompt (image_upscale); never sent upstream.
    markers: str | None = None
    # Dialect-only fields kept so an upstream of the same dialect gets them back verbatim.
    extras: dict[str, Any] = field(default_factory=dict)
    # The task whose request this one repeats with a new prompt (OpenAI's remix).
    remixed_from: str | None = None

    @property
    def first_image(self) -> Input | None:
        return self.input_for(FIRST)

    @property
    def last_image(self) -> Input | None:
        return self.input_for(LAST)

    def input_for(self, role: str) -> Input | None:
        """The first input playing `role`, if any."""
        return next((item for item in self.inputs if item.role == role), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GenerationRequest:
        data = dict(data)
        # A stored request holds only fetched inputs (submission fetches them before saving).
        inputs = [MediaRef.from_json(item) for item in data.get("inputs") or []]
        # Rows written before inputs were typed kept the two images as fields of their own.
        for role, name in ((FIRST, "first_image"), (LAST, "last_image")):
            old = data.pop(name, None)
            if old is not None:
                inputs.append(MediaRef.from_json({**old, "kind": MediaKind.IMAGE, "role": role}))
        data["inputs"] = tuple(inputs)
        if data.get("motion") is not None:
            data["motion"] = tuple(data["motion"])
        return cls(**data)
