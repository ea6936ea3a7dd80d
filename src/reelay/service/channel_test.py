"""The channel test: a real small task run through exactly one channel, pinned to it.

The request is the smallest the channel serves: the first model it lists (every model: gen4_turbo
first, then the catalogue's), text to video where the model has that endpoint, else image to
video from a small generated picture; the shortest duration and the ratio of fewest pixels.
Pinned, the task is never failed over: a refusal or a failure is the channel's own answer."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

from PIL import Image

from reelay.domain import catalogue
from reelay.domain.catalogue_row import Row
from reelay.domain.errors import InputError
from reelay.domain.request import FIRST, GenerationRequest, MediaInput
from reelay.domain.task import Task
from reelay.engines.registry import ChannelRegistry
from reelay.store.keys import ApiKey

PROMPT = "Reelay channel test: a slow pan over a quiet landscape"
# A channel that lists no models serves them all: the most common one first.
EVERY_MODEL = tuple(dict.fromkeys(("gen4_turbo", *catalogue.OFFICIAL_MODELS)))


async def test_channel(reelay, key: ApiKey, channel: str) -> Task:
    """Submit the channel's test task as `key` (the admin's); InputError naming `channel` for a
    channel this server does not have, or one no test request can be made for."""
    request = smallest_request(reelay.engines, channel)
    # Free: an operator checking a channel should not need points on the admin key.
    task, _ = await reelay.submitter.submit(key, request, channel=channel, charge=False)
    return task


def smallest_request(channels: ChannelRegistry, channel: str) -> GenerationRequest:
    if channel not in channels.channels:
        raise InputError("channel", f"no channel is named {channel!r}")
    config, engine = channels.config(channel), channels.get(channel)
    for model in config.models or EVERY_MODEL:
        for request in _requests(model):
            if engine.supports(request) and config.serves(request.model, request.engine_model):
                return request
    raise InputError("channel", f"{channel} serves no video model a test task can be made for")


def _requests(model: str) -> Iterator[GenerationRequest]:
    """The model's smallest requests, text to video first."""
    if model in catalogue.OFFICIAL_MODELS:
        for endpoint in (catalogue.TEXT_TO_VIDEO, catalogue.IMAGE_TO_VIDEO):
            row = catalogue.row(endpoint, model)
            if row is not None:
                body = _official_body(row)
                if not catalogue.body_problems(row, body):  # a row needing more than this is skipped
                    yield _official(row, body)
    elif model in catalogue.PRO_MODELS:
        yield _pro(catalogue.PRO_MODELS[model])


def _smallest(sizes: dict[str, tuple[int, int]]) -> str:
    return min(sizes, key=lambda ratio: sizes[ratio][0] * sizes[ratio][1])


def _official_body(row: Row) -> dict:
    """Runway's body for the row, as a client would send it (checked against the row after)."""
    body: dict = {"model": row.model}
    if "promptText" in row.fields:
        body["promptText"] = PROMPT
    if row.ratios:
        body["ratio"] = _smallest({ratio: catalogue.output_size(ratio) for ratio in row.ratios})
    if row.durations:
        body["duration"] = row.durations[0]
    if row.endpoint == catalogue.IMAGE_TO_VIDEO:
        body["promptImage"] = picture(*catalogue.output_size(body.get("ratio")))
    return body


def _official(row: Row, body: dict) -> GenerationRequest:
    """The request the official dialect makes of such a body (dialects/runway_request.py)."""
    width, height = catalogue.output_size(body.get("ratio"))
    image = body.get("promptImage")
    return GenerationRequest(
        dialect="runway",
        kind=row.endpoint,
        model=row.model,
        engine_model=row.model,
        ratio=body.get("ratio", ""),
        width=width,
        height=height,
        seconds=catalogue.seconds(row, body.get("duration")),
        prompt=body.get("promptText"),
        inputs=(MediaInput(image, "promptImage", role=FIRST),) if image else (),
    )


def _pro(model: catalogue.ProModel) -> GenerationRequest:
    """The request the pro dialect makes of a generate body (dialects/pro_request.py): the pro
    names that are no official model stand for image-only models, so with a picture."""
    ratio = _smallest(model.sizes)
    width, height = model.sizes[ratio]
    return GenerationRequest(
        dialect="pro",
        kind=catalogue.IMAGE_TO_VIDEO,
        model=model.name,
        engine_model=model.official,
        ratio=ratio,
        width=width,
        height=height,
        seconds=min(catalogue.PRO_SECONDS),
        prompt=PROMPT,
        inputs=(MediaInput(picture(width, height), "image", role=FIRST),),
        style="cinematic",
        extras={"flip": False, "image_as_end_frame": False},
    )


def picture(width: int, height: int) -> str:
    """A PNG data URI of the output's shape at a quarter of its size: a gradient, so a model has
    something to move."""
    small = (max(width // 4, 16), max(height // 4, 16))
    image = Image.linear_gradient("L").resize(small).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
