"""The `relay` engine: any reseller that speaks the pro format (`/runway/pro/*` + `/runway/feed`)."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from reelay.domain import catalogue
from reelay.domain.request import MOTION_AXES, GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate
from reelay.engines.results import BadOutput
from reelay.store.relay_callbacks import RelayCallbackStore

from .base import UpstreamEngine, bad_output, classify
from .errors import Rejected
from .state import UpstreamState

PASSTHROUGH = {
    "video_to_video": "/runway/pro/video2video",
    "act_one": "/runway/pro/act_one",
    "act_two": "/runway/v1/pro/act_two",
    "aleph": "/runway/v1/pro/aleph",
}


def forwards_body(request: GenerationRequest) -> bool:
    return request.dialect == "pro" and request.kind in PASSTHROUGH


# CometAPI's new-api wrapper statuses, by what they mean.
NEWAPI_WAITING = {"NOT_START", "SUBMITTED", "QUEUED", "UNKNOWN", ""}


def pro_body(request: GenerationRequest, callback_url: str, image_uri) -> tuple[str, dict[str, Any]]:
    if request.kind in PASSTHROUGH:
        return PASSTHROUGH[request.kind], {**request.extras.get("body", {}), "callback_url": callback_url}
    if request.dialect == "pro":
        model, ratio, seconds = request.model, request.ratio, request.seconds
    else:
        model = "gen3" if request.engine_model == "gen3a_turbo" else "gen4_turbo"
        sizes = catalogue.PRO_MODELS[model].sizes
        want = request.width / request.height
        ratio = min(sizes, key=lambda r: abs(sizes[r][0] / sizes[r][1] - want))
        seconds = 5 if request.seconds <= 7 else 10
    options: dict[str, Any] = {"seconds": seconds}
    if request.motion is not None:
        options["motion_vector"] = dict(zip(MOTION_AXES, request.motion, strict=False))
    if request.extras.get("flip"):
        options["flip"] = True
    body: dict[str, Any] = {
        "callback_url": callback_url,
        "ratio": ratio,
        "model": model,
        "style": request.style or "cinematic",
    }
    if request.prompt:
        body["prompt"] = request.prompt
    if request.first_image is not None:
        body["image"] = image_uri(request.first_image)
        if request.last_image is not None:
            body["last_image"] = image_uri(request.last_image)
    elif request.last_image is not None:
        body["image"] = image_uri(request.last_image)
        options["image_as_end_frame"] = True
    if request.seed is not None:
        body["seed"] = request.seed
    body["options"] = options
    return "/runway/pro/generate", body


def read_feed(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Both feed shapes seen in the wild, as one: {status, progress, video_url, poster, last_frame, msg}.

    None means the upstream does not know the task (yet).
    """
    data = payload.get("data")
    if payload.get("code") == "success" and isinstance(data, dict):  # new-api wrapper
        status = str(data.get("status") or "").upper()
        inner = data.get("data") or {}
        mapped = {"IN_PROGRESS": "1", "FAILURE": "2", "SUCCESS": "3"}.get(status, "0")
        progress = str(data.get("progress") or "0").rstrip("%")
        return {
            "status": mapped,
            "progress": float(progress) / 100 if progress.replace(".", "", 1).isdigit() else 0.0,
            "video_url": data.get("result_url") or (inner.get("output") or [None])[0],
            "msg": data.get("fail_reason") or inner.get("failure"),
            "failure_code": inner.get("failureCode"),
        }
    if not isinstance(data, dict):
        return None
    return {
        "status": str(data.get("status", "0")),
        "progress": float(data.get("progress") or 0.0) if isinstance(data.get("progress"), (int, float)) else None,
        "video_url": data.get("video_url"),
        "poster": data.get("poster"),
        "last_frame": data.get("last_frame"),
        "msg": data.get("msg"),
    }


def _not_exist(payload: dict[str, Any]) -> bool:
    """`task_not_exist`, in whichever field the upstream's shape puts it."""
    if not isinstance(payload, dict):
        return False
    return any(str(payload.get(field) or "").startswith("task_not_exist") for field in ("msg", "code", "message"))


class RelayEngine(UpstreamEngine):
    kind = "relay"

    def __init__(self, config, storage, work_dir, *, hook_url, callbacks: RelayCallbackStore) -> None:
        super().__init__(config, storage, work_dir)
        self.hook_url = hook_url  # task id -> the URL the upstream calls back
        self.callbacks = callbacks  # what upstreams told our hook, in any process

    def supports(self, request: GenerationRequest) -> bool:
        # Text and image to video, and the pro family's own routes, whose body it sends on.
        return request.kind in catalogue.VIDEO_KINDS or forwards_body(request)

    def forwards_body(self, request: GenerationRequest) -> bool:
        """The client's body goes upstream as sent: Reelay need not fetch its files."""
        return forwards_body(request)

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    async def submit(self, task: Task, key: str, state: UpstreamState) -> str:
        uris = await self.image_uris(task.request)
        path, body = pro_body(task.request, self.hook_url(task.id), lambda image: uris[id(image)])
        answer = await self.client.post(path, json=body, headers=self._headers(key))
        if answer.status_code != 200:
            raise classify(answer, f"{self.name} {path}")
        envelope = answer.json()
        if envelope.get("code") not in (200, "200", "success"):
            # Pro upstreams may answer 200 with an error code inside the envelope.
            raise Rejected(f"{self.name} {path} refused: {envelope.get('msg') or envelope.get('message')}")
        upstream_id = (envelope.get("data") or {}).get("task_id")
        if not upstream_id:
            raise Rejected(f"{self.name} {path} answered without a task_id")
        return upstream_id

    async def _read(self, state: UpstreamState) -> dict[str, Any] | None:
        key = self.config.key_for_slot(state.slot)
        answer = await self.client.post("/runway/feed", json={"task_id": state.upstream_id}, headers=self._headers(key))
        try:
            payload = answer.json()
        except ValueError:
            payload = {}
        if _not_exist(payload) or answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise classify(answer, f"{self.name} /runway/feed")
        return read_feed(payload)

    async def poll(self, task: Task, state: UpstreamState) -> EngineUpdate:
        found = await self._read(state)
        stored = state.to_json()
        if found is None:
            # Fresh ids may read task_not_exist for a little while (CometAPI, DeerAPI).
            if time.time() - (state.accepted_at or 0.0) < self.config.feed_grace_seconds:
                return EngineUpdate(Status.PENDING, state=stored, next_check_in=self.next_poll(task, waiting=True))
            return EngineUpdate(
                Status.FAILED,
                failure=f"The upstream ({self.name}) lost the task.",
                failure_code="INTERNAL.UPSTREAM_LOST",
                state=stored,
            )
        status = found["status"]
        if status == "0":
            return EngineUpdate(Status.PENDING, state=stored, next_check_in=self.next_poll(task, waiting=True))
        if status == "1":
            progress = found.get("progress")
            return EngineUpdate(
                Status.RUNNING, progress=progress, state=stored, next_check_in=self.next_poll(task, False, progress)
            )
        if status == "3":

            async def refresh() -> dict[str, str | None]:
                again = await self._read(state) or {}
                return {
                    "video": again.get("video_url"),
                    "poster": again.get("poster"),
                    "last_frame": again.get("last_frame"),
                }

            urls = {
                "video": found.get("video_url"),
                "poster": found.get("poster"),
                "last_frame": found.get("last_frame"),
            }
            try:
                files = await self.collect(task, urls, refresh)
            except BadOutput as error:
                return bad_output(error, stored)
            return EngineUpdate(
                Status.SUCCEEDED, progress=1.0, results=files, raw_video_url=found.get("video_url"), state=stored
            )
        return EngineUpdate(
            Status.FAILED,
            failure=found.get("msg") or f"The upstream ({self.name}) reported the task failed.",
            failure_code=found.get("failure_code") or "INTERNAL.UPSTREAM_FAILED",
            state=stored,
        )

    async def reconcile(self, task: Task, state: UpstreamState) -> EngineUpdate:
        """The create went unanswered; a pro upstream that took it will call our hook with its id."""
        row = await self.callbacks.find(task.id)
        if row is not None and row.upstream_id:
            state = replace(
                state, phase="accepted", upstream_id=row.upstream_id, accepted_at=time.time(), reconciled=True
            )
            return EngineUpdate(Status.PENDING, state=state.to_json(), next_check_in=0.1)
        window = max(60.0, self.config.poll_seconds * 6)
        if time.time() - (state.submitted_at or 0.0) < window:
            return EngineUpdate(
                Status.PENDING,
                state=replace(state, phase="ambiguous").to_json(),
                next_check_in=min(self.config.poll_seconds, 5.0),
            )
        return await super().reconcile(task, state)

    async def cancel(self, task: Task) -> None:
        return None  # the pro format has no cancel; the upstream task runs out on its own
