"""The sandbox engine: renders a real MP4 on the CPU from the request; no model, no network."""

from __future__ import annotations

import asyncio
import random
import shutil
import time
from dataclasses import replace
from pathlib import Path

from reelay.domain import catalogue
from reelay.domain.artifacts import IMAGE, LAST_FRAME, POSTER, VIDEO, Artifact
from reelay.domain.footage import follows_footage
from reelay.domain.request import REFERENCE, SOURCE, GenerationRequest, Input, MediaRef
from reelay.domain.request import VIDEO as VIDEO_INPUT
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate, SaveState
from reelay.engines.results import BadOutput, describe
from reelay.storage.base import Storage
from reelay.storage.results import result_key

from . import markers
from .footage_jobs import Job, footage_job
from .images import StillsResult, TextToImageJob, UpscaleJob
from .pool import RenderPool
from .render import RenderCancelled, RenderJob, scaled_size
from .state import SandboxState
from .video_jobs import is_video_in, video_job
from .video_render import VideoJob

CHECK_INTERVAL = 0.25


class SandboxEngine:
    kind = "sandbox"

    def __init__(
        self, storage: Storage, work_dir: Path, processes: int = 2, *, name: str = "sandbox", scale: float = 1.0
    ) -> None:
        self.name = name
        self.storage = storage
        self.work_dir = work_dir
        self.processes = processes
        self.scale = scale  # REELAY_SANDBOX_SCALE: tests and development render small
        self._pool: RenderPool | None = None
        self._renders: dict[str, asyncio.Future] = {}

    @property
    def pool(self) -> RenderPool:
        # Started on first use so that API-only processes never spawn renderers.
        if self._pool is None:
            self._pool = RenderPool(self.processes)
        return self._pool

    def supports(self, request: GenerationRequest) -> bool:
        # Every model of the catalogue, both dialects; Runway's video-in endpoints; Act-Two and the
        # pro restyles, with their files (one first sent on to a relay as the client's body has none).
        return (
            request.kind in ("image_to_video", "text_to_video", *catalogue.STILL_KINDS)
            or is_video_in(request)
            or (follows_footage(request) and bool(request.inputs))
        )

    async def start(self, task: Task, *, slot: int | None = None, save_state: SaveState | None = None) -> EngineUpdate:
        found = markers.of(task.request)
        now = time.time()
        state = SandboxState(started_at=now, throttle_until=now + found.throttle)
        if found.throttle:
            return EngineUpdate(Status.THROTTLED, next_check_in=min(found.throttle, 1.0), state=state.to_json())
        return await self._begin(task, state)

    async def check(self, task: Task) -> EngineUpdate:
        state = SandboxState.from_json(task.engine_state)
        if not state.running_since:
            if time.time() < state.throttle_until:
                return EngineUpdate(Status.THROTTLED, next_check_in=0.5, state=state.to_json())
            return await self._begin(task, state)

        found = markers.of(task.request)
        render = self._renders.get(task.id)
        if render is None:
            is_video = task.request.kind not in catalogue.STILL_KINDS
            if is_video and await self.storage.exists(result_key(task.id, "video.mp4")):
                # Rendered and stored before the last worker died: never render it twice.
                return await self._already_stored(task)
            # This process did not start the render (a restart, or another worker's task):
            # render again; the output is deterministic, so the result is the same (an image
            # task's stored files are simply written again).
            render = await self._submit(task, found)
        # The render and a delay marker's wait run side by side and the task ends when both have:
        # its progress is the lesser of the two fractions, never below what was already reported
        # (a render started again after a restart begins at 0).
        # The pool reports 1.0 for the last frame before its result is set: only a done future ends it.
        rendered = 1.0 if render.done() else min(self.pool.progress.get(task.id, 0.0), 0.999)
        waited = markers.delay_fraction(found.delay, time.time() - state.running_since)
        if not render.done() or waited < 1.0:
            progress = max(task.progress or 0.0, round(min(rendered, waited) * 0.99, 4))
            return EngineUpdate(Status.RUNNING, progress=progress, next_check_in=CHECK_INTERVAL)
        self._renders.pop(task.id, None)
        self.pool.progress.pop(task.id, None)
        try:
            result = render.result()
        except RenderCancelled:
            return EngineUpdate(Status.FAILED, failure="The render was cancelled.", failure_code="INTERNAL")
        except Exception as error:  # a render bug must fail the task, not the worker
            return EngineUpdate(
                Status.FAILED, failure=f"The sandbox renderer failed: {error}", failure_code="INTERNAL.BAD_OUTPUT"
            )
        if found.fail:
            return EngineUpdate(Status.FAILED, failure=found.failure_message, failure_code=found.fail)
        if isinstance(result, StillsResult):
            files = [(IMAGE, Path(path)) for path in result.images]
        else:
            files = [(VIDEO, Path(result.video)), (POSTER, Path(result.poster)), (LAST_FRAME, Path(result.last_frame))]
        try:
            return EngineUpdate(Status.SUCCEEDED, progress=1.0, results=await describe(files))
        except BadOutput as error:
            return EngineUpdate(
                Status.FAILED, failure=f"The sandbox renderer failed: {error}", failure_code="INTERNAL.BAD_OUTPUT"
            )

    async def _already_stored(self, task: Task) -> EngineUpdate:
        """The stored results of a render finished before a restart, probed again from storage."""
        folder = self.work_dir / task.id / "stored"
        folder.mkdir(parents=True, exist_ok=True)
        stored = []
        for role, name in ((VIDEO, "video.mp4"), (POSTER, "poster.jpg"), (LAST_FRAME, "last_frame.jpg")):
            key = result_key(task.id, name)
            try:
                (described,) = await describe([(role, await self.storage.fetch_to(key, folder))])
            except BadOutput as error:
                return EngineUpdate(
                    Status.FAILED, failure=f"The stored result is damaged: {error}", failure_code="INTERNAL.BAD_OUTPUT"
                )
            stored.append(Artifact.of(role, key, described.info))
        return EngineUpdate(Status.SUCCEEDED, progress=1.0, stored=tuple(stored))

    async def _begin(self, task: Task, state: SandboxState) -> EngineUpdate:
        state = replace(state, running_since=time.time())
        await self._submit(task, markers.of(task.request))
        return EngineUpdate(Status.RUNNING, progress=0.0, next_check_in=CHECK_INTERVAL, state=state.to_json())

    async def _submit(self, task: Task, found: markers.Markers) -> asyncio.Future:
        task_dir = self.work_dir / task.id
        shutil.rmtree(task_dir, ignore_errors=True)
        task_dir.mkdir(parents=True)
        request = task.request
        if request.kind in catalogue.STILL_KINDS:
            still_job = await self._still_job(task, task_dir)
            future = self.pool.submit(task.id, still_job, task_dir / "cancel")
            self._renders[task.id] = future
            return future
        width, height = scaled_size(request.width, request.height, self.scale)
        job: Job | VideoJob
        if follows_footage(request):
            job = await footage_job(request, task.seed, (width, height), task_dir, self._input_path)
        elif is_video_in(request):
            source = await self._input_path(request.input_for(VIDEO_INPUT), task_dir)
            assert source is not None, "a video-in request has its input video"
            job = video_job(request, source, width, height, str(task_dir / "out"), task.seed)
        else:
            job = RenderJob(
                width=width,
                height=height,
                seconds=request.seconds,
                out_dir=str(task_dir / "out"),
                seed=task.seed,
                prompt=markers.strip(request.prompt),
                first_image=await self._input_path(request.first_image, task_dir),
                last_image=await self._input_path(request.last_image, task_dir),
                motion=request.motion or found.camera,
            )
        future = self.pool.submit(task.id, job, task_dir / "cancel")
        self._renders[task.id] = future
        return future

    async def _still_job(self, task: Task, task_dir: Path) -> TextToImageJob | UpscaleJob:
        """Images render at the size asked whatever the sandbox's scale: one frame is cheap."""
        request, out_dir = task.request, str(task_dir / "out")
        if request.kind == catalogue.IMAGE_UPSCALE:
            source = await self._input_path(request.input_for(SOURCE), task_dir)
            assert source is not None, "an upscale has its input"
            return UpscaleJob(source, request.width, request.height, out_dir)
        references = []
        for item in request.inputs:
            if item.role == REFERENCE:
                path = await self._input_path(item, task_dir)
                assert path is not None
                references.append(path)
        return TextToImageJob(
            width=request.width,
            height=request.height,
            count=request.count,
            out_dir=out_dir,
            seed=task.seed,
            prompt=markers.strip(request.prompt),
            references=tuple(references),
            output_format=str(request.extras.get("outputFormat") or "png"),
        )

    async def _input_path(self, image: Input | None, folder: Path) -> str | None:
        if image is None:
            return None
        # A task's inputs were fetched and stored when it was submitted: an engine only sees MediaRefs.
        assert isinstance(image, MediaRef), f"unfetched input {image.field}"
        return str(await self.storage.fetch_to(image.key, folder))

    async def cancel(self, task: Task) -> None:
        flag = self.work_dir / task.id / "cancel"
        if flag.parent.exists():
            flag.touch()
        render = self._renders.pop(task.id, None)
        if render is not None:
            render.add_done_callback(lambda f: f.exception())  # the render's outcome no longer matters

    async def cleanup(self, task: Task) -> None:
        shutil.rmtree(self.work_dir / task.id, ignore_errors=True)

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()


def random_seed() -> int:
    return random.randint(0, 4294967295)
