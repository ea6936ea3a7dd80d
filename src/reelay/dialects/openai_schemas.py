"""OpenAI's /v1/videos shapes (openai SDK 3.51, `types/video*.py`), for answers and /openapi.json."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VideoStatus = Literal["queued", "in_progress", "completed", "failed"]


class VideoError(BaseModel):
    code: str
    message: str


class Video(BaseModel):
    id: str
    object: Literal["video"] = "video"
    created_at: int
    completed_at: int | None = None
    expires_at: int | None = None
    model: str
    progress: int = Field(ge=0, le=100)
    seconds: str
    size: str
    status: VideoStatus
    error: VideoError | None = None
    prompt: str | None = None
    remixed_from_video_id: str | None = None


class VideoList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Video]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool


class DeletedVideo(BaseModel):
    id: str
    object: Literal["video.deleted"] = "video.deleted"
    deleted: bool


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIError(BaseModel):
    error: ErrorDetail


class ImageUrl(BaseModel):
    url: str


class FrameImage(BaseModel):
    type: Literal["image_url"] = "image_url"
    image_url: ImageUrl
    frame_type: Literal["first_frame", "last_frame"] = "first_frame"


class InputReference(BaseModel):
    image_url: str | None = None
    file_id: str | None = Field(default=None, description="a stored upload: the runway:// URI POST /v1/uploads gave")


class CreateVideoBody(BaseModel):
    """POST /v1/videos as JSON (the SDK sends the same fields as multipart, with
    `input_reference` as a file part or `input_reference[image_url]`)."""

    model_config = ConfigDict(extra="forbid")
    prompt: str = Field(min_length=1)
    model: str | None = Field(default=None, description="a catalogue model, or an alias the operator set")
    seconds: str | None = Field(default=None, description='whole seconds as a string ("4", "8")')
    size: str | None = Field(default=None, description="WxH; the model's nearest ratio is used")
    input_reference: str | InputReference | None = None
    # OpenRouter's names (LiteLLM 1.110 sends them too).
    duration: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    frame_images: list[FrameImage] | None = None
    seed: int | None = Field(default=None, ge=0, le=4294967295)
    callback_url: str | None = None


class RemixBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: str = Field(min_length=1)


def wire(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
