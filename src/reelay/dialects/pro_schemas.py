"""The pro dialect's wire models (SPEC §2): its envelope, its task object, and the bodies of the
routes whose checks are written out by hand (`pro_footage.py`, the feed); /generate's body is
`ProGenerate` (`pro_request.py`), which also validates it.

The footage bodies describe; `parse_pro_footage` checks. They take other members too: a relay
upstream gets the body as it was sent.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SEED = Field(default=None, ge=0, le=4294967295)


ProStatus = Literal["0", "1", "2", "3"]
ProState = Literal["pending", "throttled", "running", "succeeded", "failed", "cancelled"]


class ProTask(BaseModel):
    """The pro task object: the feed's `data`, a create's `data`, and the callback body."""

    task_id: str
    status: ProStatus = Field(description="0 queued, 1 running, 2 failed or cancelled, 3 succeeded")
    state: ProState
    prompt: str
    prompt_en: str | None
    video_url: str | None
    raw_video_url: str | None
    poster: str | None
    last_frame: str | None
    msg: str | None = Field(description="why the task failed")
    point: str = Field(description="the points charged, as a decimal string")
    refund: Literal["0", "1"]
    progress: float = Field(ge=0, le=1)
    seed: int | None
    create_time: str = Field(description="Unix seconds, as a string")
    update_time: str = Field(description="Unix seconds, as a string")


class ProEnvelope(BaseModel):
    """Every pro answer: `code` is the HTTP status, `msg` 成功 or `<reason>: <sentence>`."""

    code: int
    msg: str
    data: Any
    exec_time: float = Field(description="seconds the server took")


class ProTaskAnswer(ProEnvelope):
    data: ProTask


class ProError(ProEnvelope):
    data: None


class _Open(BaseModel):
    # Other members are kept for a relay upstream, which gets the body as it was sent.
    model_config = ConfigDict(extra="allow")


class FootageOptions(_Open):
    flip: bool = Field(default=False, description="render portrait (720×1280)")


class PerformanceOptions(FootageOptions):
    expression_intensity: int | None = Field(default=None, ge=1, le=5)


class AlephOptions(FootageOptions):
    seconds: int = Field(default=5, ge=1, le=10, description="how much of the source video to edit")


class _Footage(_Open):
    video: str = Field(min_length=1, description="the URL of the source video")
    callback_url: str | None = None
    seed: int | None = SEED


class ProVideo2Video(_Footage):
    """POST /runway/pro/video2video."""

    prompt: str | None = Field(default=None, max_length=1000)
    model: str | None = Field(default=None, description="the relay's model name; gen3 when absent")
    options: FootageOptions | None = None


class ProAleph(_Footage):
    """POST /runway/pro/aleph."""

    prompt: str = Field(min_length=1, max_length=1000, description="what to change in the video")
    images: list[str] | None = Field(default=None, max_length=1, description="at most one reference image URL")
    model: str | None = None
    options: AlephOptions | None = None


class ProPerformance(_Footage):
    """POST /runway/pro/act_one and act_two: `video` is the performance; the character is
    `image`, or `character_video` when no image is given."""

    image: str | None = None
    character_video: str | None = None
    prompt: str | None = Field(default=None, max_length=1000)
    model: str | None = None
    options: PerformanceOptions | None = None


class ProFeedBody(_Open):
    """POST /runway/feed."""

    task_id: str = Field(min_length=1)
