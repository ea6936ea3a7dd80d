"""The `openai-videos` engine: any server speaking OpenAI's /v1/videos as the upstream (vLLM-Omni
serving Wan or LTX on the operator's GPUs, LiteLLM, new-api).

Create: `POST /v1/videos`, multipart (openai_form.py). Read: `GET /v1/videos/{id}`, next when its
`openai-poll-after-ms` header says, else at the channel's pace. Result: `GET
/v1/videos/{id}/content` (with the key: it is no signed URL), copied into Reelay's storage, the
poster and last frame made from it. The create is saved first and an unanswered one is never sent
again, as for every upstream engine (base.py): OpenAI's shape has no idempotency key and no way
to find a lost create, so such a task fails with INTERNAL.UPSTREAM_UNCONFIRMED.
"""

from __future__ import annotations

from typing import Any

from reelay.domain.request import GenerationRequest
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate
from reelay.engines.results import BadOutput

from .base import UpstreamEngine, bad_output, classify
from .errors import Rejected
from .http import Answer
from .openai_form import create_form, sendable
from .state import UpstreamState

# Statuses by what they mean; new-api's own names too (it answers `pending`, `processing`).
WAITING = {"queued", "pending"}
RUNNING = {"in_progress", "processing"}
DONE = {"completed", "succeeded"}
FAILED = {"failed", "cancelled"}
# What an upstream's `openai-poll-after-ms` may ask for: a 0 would make a busy loop, an hour
# would leave a finished video unseen.
MIN_POLL_AFTER, MAX_POLL_AFTER = 0.1, 60.0
# Error codes that say the content was refused, by the word they contain.
SAFETY_WORDS = ("moderation", "safety", "policy")


def poll_after(answer: Answer) -> float | None:
    """Seconds the `openai-poll-after-ms` header asks to wait, if it came and makes sense."""
    value = answer.headers.get("openai-poll-after-ms")
    if not value:
        return None
    try:
        seconds = float(value) / 1000
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def failure_of(video: dict[str, Any]) -> tuple[str, str]:
    """A failed video's message and Reelay's failure code for it."""
    found = video.get("error")
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    message = str(error.get("message") or "") or "The upstream reported the video failed."
    code = str(error.get("code") or "")
    if video.get("status") == "cancelled" or code == "cancelled":
        return message, "INTERNAL.UPSTREAM_CANCELLED"
    if any(word in code.lower() for word in SAFETY_WORDS):
        return message, "SAFETY.INPUT"
    return message, "INTERNAL.UPSTREAM_FAILED"


class OpenAIVideosEngine(UpstreamEngine):
    kind = "openai-videos"

    def supports(self, request: GenerationRequest) -> bool:
        # Text, or text and a first frame: a request whose last frame or references it could not
        # send goes to a channel that can.
        return sendable(request)

    def _headers(self, key: str) -> dict[str, str]:
        # A vLLM-Omni server started without --api-key takes requests without one.
        return {"Authorization": f"Bearer {key}"} if key else {}

    async def submit(self, task: Task, key: str, state: UpstreamState) -> str:
        form = await create_form(task.request, self.config, self.storage)
        answer = await self.client.post("/v1/videos", form=form, headers=self._headers(key))
        if answer.status_code != 200:
            raise classify(answer, f"{self.name} /v1/videos")
        try:
            upstream_id = answer.json().get("id")
        except (ValueError, AttributeError):
            upstream_id = None
        if not upstream_id:
            raise Rejected(f"{self.name} /v1/videos answered without a video id")
        return str(upstream_id)

    async def _read(self, state: UpstreamState) -> tuple[dict[str, Any], float | None]:
        key = self.config.key_for_slot(state.slot)
        answer = await self.client.get(f"/v1/videos/{state.upstream_id}", headers=self._headers(key))
        if answer.status_code != 200:
            raise classify(answer, f"{self.name} GET /v1/videos")
        video = answer.json()
        if not isinstance(video, dict):
            raise Rejected(f"{self.name} GET /v1/videos answered {str(video)[:100]}, not a video object")
        return video, poll_after(answer)

    async def poll(self, task: Task, state: UpstreamState) -> EngineUpdate:
        try:
            video, asked = await self._read(state)
        except Rejected as error:
            if error.status == 404:
                return EngineUpdate(
                    Status.FAILED,
                    failure=f"The upstream ({self.name}) lost the video: {error.message}",
                    failure_code="INTERNAL.UPSTREAM_LOST",
                    state=state.to_json(),
                )
            raise
        stored = state.to_json()
        status = str(video.get("status") or "").lower()
        if status in DONE:
            return await self._collect(task, state, stored)
        if status in FAILED:
            message, code = failure_of(video)
            return EngineUpdate(Status.FAILED, failure=message, failure_code=code, state=stored)
        running = status in RUNNING
        progress = _progress(video.get("progress")) if running else None
        pace = self.next_poll(task, waiting=not running, progress=progress)
        if asked is not None:
            # The upstream knows its own queue and speed better than our guess: its pace wins.
            pace = min(max(asked, MIN_POLL_AFTER), MAX_POLL_AFTER)
        return EngineUpdate(
            Status.RUNNING if running else Status.PENDING, progress=progress, state=stored, next_check_in=pace
        )

    async def _collect(self, task: Task, state: UpstreamState, stored: dict[str, Any]) -> EngineUpdate:
        content = f"/v1/videos/{state.upstream_id}/content"

        async def refresh() -> dict[str, str | None]:
            return {"video": content}  # the same address: the upstream keeps it as long as it keeps the video

        headers = self._headers(self.config.key_for_slot(state.slot))
        try:
            files = await self.collect(task, {"video": content}, refresh, headers)
        except BadOutput as error:
            return bad_output(error, stored)
        # No raw_video_url: the upstream's address is the operator's own (a GPU box), and its
        # content needs the channel's key.
        return EngineUpdate(Status.SUCCEEDED, progress=1.0, results=files, state=stored)

    async def cancel(self, task: Task) -> None:
        # vLLM-Omni aborts a live job on DELETE; OpenAI deletes only finished videos.
        await self._delete_upstream(task, "/v1/videos/{id}")


def _progress(value: Any) -> float | None:
    """OpenAI's progress is a whole percentage; Reelay's a fraction below 1 until the end."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return min(max(float(value) / 100, 0.0), 0.99)
