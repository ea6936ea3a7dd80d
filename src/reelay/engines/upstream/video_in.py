"""video_to_video and video_upscale for Runway's API: the body goes on as the client sent it,
with every input Runway could not read itself (a Reelay upload, a data URI) replaced by one it
can (`inputs.readable_uri`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reelay.domain import catalogue
from reelay.domain.request import GenerationRequest, MediaRef
from reelay.storage.base import Storage

from .inputs import readable_uri

VIDEO_IN_KINDS = (catalogue.VIDEO_TO_VIDEO, catalogue.VIDEO_UPSCALE)
# Body fields that hold a media URI (directly, or as the `uri` of an object in a list).
URI_FIELDS = ("videoUri", "promptVideo", "references", "keyframes")


async def readable_uris(request: GenerationRequest, storage: Storage, public_url: str) -> dict[str, str]:
    """Each stored input's client URI (as stored) → what the upstream can read for it."""
    return {
        item.uri: await readable_uri(storage, item, public_url)
        for item in request.inputs
        if isinstance(item, MediaRef) and not item.uri.startswith("https://")
    }


def video_in_body(request: GenerationRequest, readable: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The path and body of an official video-in request: the client's fields, inputs readable."""
    body: dict[str, Any] = {"model": request.model}
    if request.prompt:
        body["promptText"] = request.prompt
    if request.seed is not None:
        body["seed"] = request.seed
    body.update(request.extras)
    swap = _swapper(readable)
    for name in URI_FIELDS:
        value = body.get(name)
        if isinstance(value, str):
            body[name] = swap(value)
        elif isinstance(value, list):
            body[name] = [{**item, "uri": swap(item["uri"])} if isinstance(item, dict) else item for item in value]
    return f"/v1/{request.kind}", body


def _swapper(readable: dict[str, str]) -> Callable[[str], str]:
    def swap(uri: str) -> str:
        # A stored data URI keeps only its first 64 characters (service/inputs.py).
        stored = uri if not uri.startswith("data:") else uri[:64] + "..."
        return readable.get(stored, uri)

    return swap
