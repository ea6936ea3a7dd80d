"""What every upstream engine shares: save-first submission, polling cadence, timeouts,
copying results into Reelay's storage.

Submission is the dangerous step. Before the request leaves, the task's state records an
attempt; if the process dies or the answer is lost, the next look at the task finds that
attempt unconfirmed and never sends it again blindly.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reelay.config import ChannelConfig
from reelay.domain.artifacts import LAST_FRAME, POSTER, VIDEO
from reelay.domain.request import GenerationRequest, MediaRef
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate, SaveState
from reelay.engines.results import BadOutput, describe
from reelay.media.frames_pool import make_first_and_last_frames
from reelay.storage.base import Storage
from reelay.storage.results import ResultFile

from .errors import Ambiguous, NotAccepted, Rejected, ResultExpired, UpstreamError
from .http import Answer, CannotConnect, NoAnswer, TransportFailure, UpstreamHttp
from .inputs import readable_uri
from .state import UpstreamState

IMAGE_KINDS = ("image_to_video", "text_to_video")
# How long past the request timeout an unconfirmed create may still be confirmed by its sender.
SUBMIT_GRACE_SECONDS = 5.0


def classify(answer: Answer, what: str) -> UpstreamError:
    """An upstream's non-2xx answer to a create, by what it means for retrying."""
    reason = _reason(answer)
    message = f"{what} answered HTTP {answer.status_code}: {reason}"
    retry_after = _retry_after(answer)
    if answer.status_code == 504:
        return Ambiguous(message, status=504)
    if answer.status_code == 429 or answer.status_code >= 500 or answer.status_code == 408:
        return NotAccepted(message, status=answer.status_code, retry_after=retry_after)
    return Rejected(message, status=answer.status_code)


def _reason(answer: Answer) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:300] or answer.reason_phrase
    if isinstance(body, dict):
        for key in ("error", "msg", "message"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key] + _issues(body.get("issues"))
            if isinstance(body.get(key), dict) and body[key].get("message"):
                return body[key]["message"]
    return str(body)[:300]


def _issues(issues: Any) -> str:
    """Runway's validation issues (`[{"path": [...], "message": ...}]`), so the task's failure
    names the fields: ": promptImage: Invalid input; ratio: ..." ."""
    if not isinstance(issues, list):
        return ""
    said = []
    for issue in issues[:5]:
        if isinstance(issue, dict):
            # An unknown field's issue names it in `keys`, its path being the object that holds it.
            where = [*(issue.get("path") or []), *(issue.get("keys") or [])]
            said.append(".".join(str(part) for part in where) + ": " + str(issue.get("message", "")))
    return (": " + "; ".join(said)) if said else ""


def _retry_after(answer: Answer) -> float | None:
    """Retry-After in seconds, or OpenAI's Retry-After-Ms, the finer of the two when both come."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = answer.headers.get(name)
        try:
            if value:
                return float(value) / scale
        except ValueError:
            continue  # an HTTP date or garbage: try the other header
    return None


@dataclass
class Polling:
    """What an engine remembers of one task between its polls.

    In memory: writing it to the database on every poll would cost a write per task every few
    seconds, and losing it in a restart only resets the back-off and the pace."""

    waiting: int = 0  # polls in a row that found the task queued upstream: the back-off
    errors: int = 0  # polls in a row that failed
    asked_at: float = 0.0  # when the latest poll was sent (monotonic)
    first: tuple[float, float] | None = None  # (asked_at, progress) of the first reading while running


class UpstreamEngine(ABC):
    kind = "upstream"

    def __init__(self, config: ChannelConfig, storage: Storage, work_dir: Path) -> None:
        self.config = config
        self.name = config.name
        self.storage = storage
        self.work_dir = work_dir
        self.client = UpstreamHttp(config.base_url, config.request_timeout_seconds, headers={"User-Agent": "Reelay"})
        self._polling: dict[str, Polling] = {}

    def supports(self, request: GenerationRequest) -> bool:
        return request.kind in IMAGE_KINDS

    # -- the two steps -------------------------------------------------------------------

    async def start(self, task: Task, *, slot: int | None = None, save_state: SaveState | None = None) -> EngineUpdate:
        """Submit once. `save_state` persists the attempt before the request leaves."""
        # Placement always passes it: an upstream create is never sent without its attempt saved first.
        assert save_state is not None, "an upstream engine's start needs save_state"
        state = replace(
            UpstreamState.from_json(task.engine_state),
            attempt_id=str(uuid.uuid4()),
            phase="submitting",
            submitted_at=time.time(),
            slot=slot,
        )
        await save_state(state.to_json())
        try:
            upstream_id = await self.submit(task, self.config.key_for_slot(slot), state)
        except NoAnswer as error:
            # Sent (at least partly) and no answer: the upstream may hold the task now.
            raise Ambiguous(f"{self.name} did not answer the create: {error}", state=self._unsure(state)) from error
        except Ambiguous as error:  # a 504: the upstream may have taken it
            raise Ambiguous(error.message, status=error.status, state=self._unsure(state)) from error
        except CannotConnect as error:
            raise NotAccepted(f"{self.name}: {error}") from error
        state = replace(state, phase="accepted", upstream_id=upstream_id, accepted_at=time.time())
        return EngineUpdate(Status.PENDING, state=state.to_json(), next_check_in=self.config.poll_seconds)

    @staticmethod
    def _unsure(state: UpstreamState) -> dict[str, Any]:
        """The attempt whose answer was lost, to be reconciled at the next check."""
        return replace(state, phase="ambiguous").to_json()

    async def check(self, task: Task) -> EngineUpdate:
        state = UpstreamState.from_json(task.engine_state)
        if state.phase == "submitting":
            # Sent by a worker that stopped answering (frozen, or killed). If it lives, it records
            # the upstream's answer when it comes: wait for that as long as the create may take.
            waited = time.time() - (state.submitted_at or 0.0)
            grace = self.config.request_timeout_seconds + SUBMIT_GRACE_SECONDS
            if waited < grace:
                return EngineUpdate(Status.PENDING, next_check_in=min(grace - waited, 1.0), reread=True)
        if state.phase in ("submitting", "ambiguous"):
            return await self.reconcile(task, state)
        accepted_at = state.accepted_at if state.accepted_at is not None else time.time()
        if time.time() - accepted_at > self.config.task_timeout_seconds:
            await self.cancel(task)
            return EngineUpdate(
                Status.FAILED,
                failure=f"The upstream ({self.name}) did not finish the task within "
                f"{self.config.task_timeout_seconds:g} seconds; it was cancelled there.",
                failure_code="INTERNAL.TIMEOUT",
            )
        try:
            # The upstream measured its progress when the poll arrived, not when a busy event loop
            # got round to reading the answer: pace is worked out from when the poll was sent.
            self._polling_of(task.id).asked_at = time.monotonic()
            return await self.poll(task, state)
        except (TransportFailure, NotAccepted, Ambiguous):
            # A failed poll changes nothing upstream (a 504 to a read is no lost create): look
            # again later.
            polling = self._polling_of(task.id)
            polling.errors += 1
            return EngineUpdate(Status.PENDING, next_check_in=self._backoff(polling.errors))

    async def reconcile(self, task: Task, state: UpstreamState) -> EngineUpdate:
        """An unconfirmed submission. Engines that can find out what happened override this."""
        return EngineUpdate(
            Status.FAILED,
            failure=f"The upstream ({self.name}) may have accepted this task but never confirmed it; "
            "it was not sent again, to avoid a duplicate. Submit a new task.",
            failure_code="INTERNAL.UPSTREAM_UNCONFIRMED",
        )

    # -- for subclasses ------------------------------------------------------------------

    @abstractmethod
    async def submit(self, task: Task, key: str, state: UpstreamState) -> str:
        """Send the create; return the upstream's task id, or raise an UpstreamError."""

    @abstractmethod
    async def poll(self, task: Task, state: UpstreamState) -> EngineUpdate:
        """Read the upstream task once and say what it means."""

    @abstractmethod
    async def cancel(self, task: Task) -> None:
        """Cancel the task upstream, if it was ever accepted there."""

    @abstractmethod
    def _headers(self, key: str) -> dict[str, str]:
        """What every request to this upstream carries with its key."""

    async def _delete_upstream(self, task: Task, path: str) -> None:
        """DELETE `path` ("{id}" stands for the upstream id) with the key the task was sent with,
        if the upstream ever accepted the task. Best effort: the task is cancelled here whatever
        the upstream says."""
        state = UpstreamState.from_json(task.engine_state)
        if state.upstream_id:
            headers = self._headers(self.config.key_for_slot(state.slot))
            with contextlib.suppress(Exception):
                await self.client.delete(path.format(id=state.upstream_id), headers=headers)

    def next_poll(self, task: Task, waiting: bool, progress: float | None = None) -> float:
        """Backing off while the upstream queues the task; while it runs, every poll_seconds, or
        less often while its progress says the end is far off."""
        polling = self._polling_of(task.id)
        polling.errors = 0
        if not waiting:
            return self._running_poll(polling, progress)
        polling.waiting += 1
        return self._backoff(polling.waiting)

    def _polling_of(self, task_id: str) -> Polling:
        return self._polling.setdefault(task_id, Polling())

    def _running_poll(self, polling: Polling, progress: float | None) -> float:
        """Two readings of the upstream's progress give its pace; the next look comes after half
        the time the rest should take at that pace, so a task that speeds up is still caught, and
        never sooner than poll_seconds nor later than max_poll_seconds. Near the end, and for an
        upstream that reports no progress, that is every poll_seconds. A 5-minute task is read
        about 15 times instead of 60: at 10,000 tasks in flight, the difference between what one
        worker and the upstream's rate limits can take, and what they cannot."""
        every = self.config.poll_seconds
        if not self.config.poll_by_progress or progress is None or not 0.0 < progress < 1.0:
            return every
        now = polling.asked_at or time.monotonic()
        if polling.first is None:
            polling.first = (now, progress)
        since, first = polling.first
        if progress <= first or now <= since:
            return every
        remaining = (1.0 - progress) * (now - since) / (progress - first)
        return min(max(every, remaining / 2), max(self.config.max_poll_seconds, every))

    def _backoff(self, count: int) -> float:
        return min(
            self.config.poll_seconds * 1.5 ** (count - 1), max(self.config.max_poll_seconds, self.config.poll_seconds)
        )

    async def image_uris(self, request: GenerationRequest, public_url: str = "") -> dict[int, str]:
        """What the upstream can read for each stored input (image, or video such as Act-Two's
        reference), by `inputs.readable_uri`. Keyed by id() of the MediaRef."""
        return {
            id(item): await readable_uri(self.storage, item, public_url)
            for item in request.inputs
            if isinstance(item, MediaRef)
        }

    async def collect(
        self,
        task: Task,
        urls: dict[str, str | None],
        refresh: Callable[[], Awaitable[dict[str, str | None]]],
        headers: dict[str, str] | None = None,
    ) -> list[ResultFile]:
        """Copy the upstream's result files into the work dir, make missing posters from the
        video, and probe each: the video, its poster, its last frame.

        `urls` by role (VIDEO, POSTER, LAST_FRAME); `refresh()` re-reads the upstream task for
        fresh URLs when one has expired; `headers` go with each download (an upstream whose
        results need its key). Raises BadOutput when a file is not what it should be.
        """
        folder = self.work_dir / task.id
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        files: dict[str, Path] = {}
        names = {VIDEO: "video.mp4", POSTER: "poster.jpg", LAST_FRAME: "last_frame.jpg"}
        for role, name in names.items():
            for attempt in range(4):
                url = urls.get(role)
                if not url:
                    break
                try:
                    await self._download(url, folder / name, headers)
                    files[role] = folder / name
                    break
                except ResultExpired:
                    urls = await refresh()
                except TransportFailure:
                    await asyncio.sleep(0.5 * 2**attempt)
            if role == VIDEO and VIDEO not in files:
                raise UpstreamError(f"the result video of {self.name} could not be downloaded")
        if POSTER not in files or LAST_FRAME not in files:
            await make_first_and_last_frames(files[VIDEO], folder / names[POSTER], folder / names[LAST_FRAME])
            files[POSTER], files[LAST_FRAME] = folder / names[POSTER], folder / names[LAST_FRAME]
        return await describe([(role, files[role]) for role in names])

    async def _download(self, url: str, target: Path, headers: dict[str, str] | None = None) -> None:
        async with self.client.download(url, headers) as answer:
            if answer.status_code in (401, 403, 404, 410):
                raise ResultExpired(f"{url} answered {answer.status_code}")
            if answer.status_code != 200:
                raise NoAnswer(f"{url} answered {answer.status_code}")  # a 5xx: try again shortly
            with target.open("wb") as file:
                async for chunk in answer.chunks():
                    file.write(chunk)

    async def cleanup(self, task: Task) -> None:
        self._polling.pop(task.id, None)
        shutil.rmtree(self.work_dir / task.id, ignore_errors=True)

    async def close(self) -> None:
        await self.client.aclose()


def bad_output(error: BadOutput, state: dict[str, Any]) -> EngineUpdate:
    return EngineUpdate(
        Status.FAILED,
        failure=f"The upstream's result is not usable: {error}",
        failure_code="INTERNAL.BAD_OUTPUT",
        state=state,
    )


def failure_from_rejection(error: Rejected | UpstreamError) -> EngineUpdate:
    return EngineUpdate(
        Status.FAILED,
        failure=f"The upstream rejected the request: {error.message}",
        failure_code="INPUT.REJECTED_UPSTREAM",
    )
