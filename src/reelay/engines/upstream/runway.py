"""The `runway` engine: Runway's official API (version 2024-11-06) as the upstream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reelay.config import ChannelConfig
from reelay.domain import catalogue
from reelay.domain.footage import CHARACTER_PERFORMANCE
from reelay.domain.request import CHARACTER, OFFICIAL_SHAPED, REFERENCE, GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate
from reelay.engines.results import BadOutput
from reelay.storage.base import Storage

from .base import UpstreamEngine, bad_output, classify
from .errors import Rejected
from .images import collect_images, image_body
from .state import UpstreamState
from .video_in import VIDEO_IN_KINDS, readable_uris, video_in_body

VERSION = "2024-11-06"


def official_body(request: GenerationRequest, text_model: str, image_uri) -> tuple[str, dict[str, Any]]:
    """The path and body Runway's API takes for a request of either dialect."""
    if request.dialect in OFFICIAL_SHAPED:
        return _official_as_sent(request, image_uri)
    model, ratio, duration = _from_pro(request, text_model)
    body: dict[str, Any] = {"model": model, "ratio": ratio, "duration": duration}
    if request.prompt:
        body["promptText"] = request.prompt
    if request.seed is not None:
        body["seed"] = request.seed
    if request.first_image is None and request.last_image is None:
        return "/v1/text_to_video", body
    body["promptImage"] = _frames(request, image_uri)
    return "/v1/image_to_video", body


def _official_as_sent(request: GenerationRequest, image_uri) -> tuple[str, dict[str, Any]]:
    """An official request goes on as the client sent it (its model's fields, in `extras`), with
    the defaults Reelay filled in, and our own copies of its frames."""
    row = catalogue.row(request.kind, request.model)
    body: dict[str, Any] = {"model": request.model}
    if row is not None and request.ratio in row.ratios:
        body["ratio"] = request.ratio
    if row is not None and row.durations:
        body["duration"] = request.seconds
    if request.prompt:
        body["promptText"] = request.prompt
    if request.seed is not None:
        body["seed"] = request.seed
    body.update(request.extras)  # "auto" durations, references, each model's own options
    if request.kind == catalogue.IMAGE_TO_VIDEO and "promptImage" not in request.extras:
        body["promptImage"] = _frames(request, image_uri)
    if request.kind == CHARACTER_PERFORMANCE:
        body |= _performers(request, image_uri)
    return f"/v1/{request.kind}", body


def _performers(request: GenerationRequest, media_uri) -> dict[str, Any]:
    """Act-Two's character (image or video) and reference performance, as our copies."""
    found: dict[str, Any] = {}
    for role, name in ((CHARACTER, "character"), (REFERENCE, "reference")):
        item = request.input_for(role)
        if item is not None:
            found[name] = {"type": str(item.kind), "uri": media_uri(item)}
    return found


def _frames(request: GenerationRequest, image_uri) -> list[dict[str, str]]:
    images = []
    if request.first_image is not None:
        images.append({"uri": image_uri(request.first_image), "position": "first"})
    if request.last_image is not None:
        images.append({"uri": image_uri(request.last_image), "position": "last"})
    return images


def _from_pro(request: GenerationRequest, text_model: str) -> tuple[str, str, int]:
    """Pro gen3 → gen3a_turbo, gen2/gen4/gen4_turbo → gen4_turbo, text-only → the channel's text model."""
    if request.first_image is None and request.last_image is None:
        if catalogue.row(catalogue.TEXT_TO_VIDEO, request.engine_model) is not None:
            text_model = request.engine_model  # pro gen4.5 has a text_to_video of its own
        return (
            text_model,
            _closest_ratio(text_model, catalogue.TEXT_TO_VIDEO, request),
            _closest_duration(text_model, request.seconds),
        )
    model = request.engine_model
    if request.last_image is not None and "last" not in catalogue.OFFICIAL_MODELS[model].positions:
        model = "gen3a_turbo"  # the model that takes a last frame
    ratio = f"{request.width}:{request.height}"
    if ratio not in catalogue.OFFICIAL_MODELS[model].ratios[catalogue.IMAGE_TO_VIDEO]:
        ratio = _closest_ratio(model, catalogue.IMAGE_TO_VIDEO, request)
    return model, ratio, _closest_duration(model, request.seconds)


def _closest_ratio(model: str, kind: str, request: GenerationRequest) -> str:
    want = request.width / request.height
    ratios = catalogue.OFFICIAL_MODELS[model].ratios[kind]
    return min(ratios, key=lambda r: abs(catalogue.pixel_size(r)[0] / catalogue.pixel_size(r)[1] - want))


def _closest_duration(model: str, seconds: int) -> int:
    return min(catalogue.OFFICIAL_MODELS[model].durations, key=lambda d: abs(d - seconds))


class RunwayEngine(UpstreamEngine):
    kind = "runway"

    def __init__(self, config: ChannelConfig, storage: Storage, work_dir: Path, *, public_url: str = "") -> None:
        super().__init__(config, storage, work_dir)
        self.public_url = public_url  # REELAY_PUBLIC_URL: where the upstream can fetch stored inputs

    def supports(self, request: GenerationRequest) -> bool:
        # Act-Two, the image endpoints and the video-in endpoints in Runway's own shape; the pro
        # family's act_one/act_two/video2video go to a relay or the sandbox.
        return (
            super().supports(request)
            or request.kind == CHARACTER_PERFORMANCE
            or request.kind in catalogue.STILL_KINDS
            or (request.kind in VIDEO_IN_KINDS and request.dialect in OFFICIAL_SHAPED)
        )

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "X-Runway-Version": VERSION}

    async def submit(self, task: Task, key: str, state: UpstreamState) -> str:
        if task.request.kind in catalogue.STILL_KINDS:
            path, body = await image_body(task.request, self.storage, self.public_url)
        elif task.request.kind in VIDEO_IN_KINDS:
            readable = await readable_uris(task.request, self.storage, self.public_url)
            path, body = video_in_body(task.request, readable)
        else:
            uris = await self.image_uris(task.request, self.public_url)
            path, body = official_body(task.request, self.config.text_model, lambda image: uris[id(image)])
        answer = await self.client.post(path, json=body, headers=self._headers(key))
        if answer.status_code != 200:
            raise classify(answer, f"{self.name} {path}")
        upstream_id = answer.json().get("id")
        if not upstream_id:
            raise Rejected(f"{self.name} {path} answered without a task id")
        return upstream_id

    async def _read(self, state: UpstreamState) -> dict[str, Any]:
        key = self.config.key_for_slot(state.slot)
        answer = await self.client.get(f"/v1/tasks/{state.upstream_id}", headers=self._headers(key))
        if answer.status_code != 200:
            raise classify(answer, f"{self.name} GET /v1/tasks")
        return answer.json()

    async def poll(self, task: Task, state: UpstreamState) -> EngineUpdate:
        upstream = await self._read(state)
        stored = state.to_json()
        status = upstream.get("status")
        if status in ("PENDING", "THROTTLED"):
            mapped = Status.THROTTLED if status == "THROTTLED" else Status.PENDING
            return EngineUpdate(mapped, state=stored, next_check_in=self.next_poll(task, waiting=True))
        if status == "RUNNING":
            progress = float(upstream.get("progress") or 0.0)
            return EngineUpdate(
                Status.RUNNING, progress=progress, state=stored, next_check_in=self.next_poll(task, False, progress)
            )
        if status == "SUCCEEDED" and task.request.kind in catalogue.STILL_KINDS:
            return await self._images(task, state, list(upstream.get("output") or []), stored)
        if status == "SUCCEEDED":
            outputs = upstream.get("output") or []

            async def refresh() -> dict[str, str | None]:
                again = await self._read(state)
                return {"video": (again.get("output") or [None])[0]}

            try:
                files = await self.collect(task, {"video": outputs[0] if outputs else None}, refresh)
            except BadOutput as error:
                return bad_output(error, stored)
            return EngineUpdate(
                Status.SUCCEEDED,
                progress=1.0,
                results=files,
                raw_video_url=outputs[0] if outputs else None,
                state=stored,
            )
        if status == "FAILED":
            return EngineUpdate(
                Status.FAILED,
                failure=upstream.get("failure") or "The upstream task failed.",
                failure_code=upstream.get("failureCode"),
                state=stored,
            )
        if status == "CANCELLED":
            return EngineUpdate(
                Status.FAILED,
                failure=f"The task was cancelled at the upstream ({self.name}).",
                failure_code="INTERNAL.UPSTREAM_CANCELLED",
                state=stored,
            )
        return EngineUpdate(Status.PENDING, state=stored, next_check_in=self.next_poll(task, waiting=True))

    async def _images(self, task: Task, state: UpstreamState, urls: list[str], stored: dict[str, Any]) -> EngineUpdate:
        """Every output image copied in, in order."""

        async def refresh() -> list[str]:
            return list((await self._read(state)).get("output") or [])

        try:
            files = await collect_images(self._download, self.work_dir / task.id, urls, refresh)
        except BadOutput as error:
            return bad_output(error, stored)
        return EngineUpdate(Status.SUCCEEDED, progress=1.0, results=files, state=stored)

    async def cancel(self, task: Task) -> None:
        await self._delete_upstream(task, "/v1/tasks/{id}")
