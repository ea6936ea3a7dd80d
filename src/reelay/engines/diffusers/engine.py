"""The diffusers engine: an open video model run in the worker's own process (docs/gpu.md).

Each channel names a local model folder and its family. A task's generation runs on its device's
one thread (one task at a time per device in a process; the channel's cap, 1 by default, holds
the others THROTTLED through placement's slots), so the worker's event loop stays free to poll,
heartbeat and take cancels. The pipeline is loaded on that thread on first use and kept.

Nothing here imports torch: an API process builds this engine to route requests (`supports`)
and never runs one. torch and diffusers are imported on the device thread (run.py, loading.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from reelay.config import ChannelConfig
from reelay.domain.artifacts import LAST_FRAME, POSTER, VIDEO
from reelay.domain.request import GenerationRequest, Input, MediaRef
from reelay.domain.status import Status
from reelay.domain.task import Task
from reelay.engines.base import EngineUpdate, SaveState
from reelay.engines.results import BadOutput, describe
from reelay.storage.base import Storage

from . import mapping
from .errors import MODEL_FAILED, OUT_OF_MEMORY, Cancelled, ModelError, is_out_of_memory
from .settings import DiffusersSettings

log = logging.getLogger("reelay.diffusers")

CHECK_INTERVAL = 0.25
DENOISING_SHARE = 0.9  # of the progress: the steps; decoding and encoding the rest

# One thread per device for the whole process, whichever channels use it.
_devices: dict[str, ThreadPoolExecutor] = {}


def device_thread(device: str) -> ThreadPoolExecutor:
    if device not in _devices:
        _devices[device] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"diffusers-{device}")
    return _devices[device]


@dataclass
class Job:
    cancelled: threading.Event = field(default_factory=threading.Event)
    progress: float = 0.0  # written by the device thread
    future: asyncio.Future = field(default_factory=asyncio.Future)


class DiffusersEngine:
    kind = "diffusers"

    def __init__(self, channel: ChannelConfig, storage: Storage, work_dir: Path) -> None:
        self.name = channel.name
        self.settings = DiffusersSettings.of(channel)  # a ConfigError stops the process at start
        self.storage = storage
        self.work_dir = work_dir
        self._jobs: dict[str, Job] = {}

    def supports(self, request: GenerationRequest) -> bool:
        return mapping.takes(self.settings.family, request)

    async def start(self, task: Task, *, slot: int | None = None, save_state: SaveState | None = None) -> EngineUpdate:
        await self._begin(task)
        return EngineUpdate(Status.RUNNING, progress=0.0, next_check_in=CHECK_INTERVAL)

    async def check(self, task: Task) -> EngineUpdate:
        job = self._jobs.get(task.id)
        if job is None:
            # Started by a process that is gone (a restart, or another worker's task): generate
            # again; the seed makes it the same video.
            job = await self._begin(task)
        if not job.future.done():
            progress = max(task.progress or 0.0, round(job.progress, 4))
            return EngineUpdate(Status.RUNNING, progress=progress, next_check_in=CHECK_INTERVAL)
        self._jobs.pop(task.id, None)
        try:
            video, poster, last = job.future.result()
        except ModelError as error:
            return EngineUpdate(Status.FAILED, failure=error.message, failure_code=error.code)
        except Cancelled:
            # Stopped by close() (the worker stopping, its tasks handed back): never a failure.
            return EngineUpdate(Status.RUNNING, progress=task.progress, next_check_in=CHECK_INTERVAL)
        except Exception as error:
            if is_out_of_memory(error):
                return EngineUpdate(
                    Status.FAILED,
                    failure=f"The model ran out of memory on {self.settings.device}: {error}",
                    failure_code=OUT_OF_MEMORY,
                )
            log.exception("channel %s: the pipeline failed on task %s", self.name, task.id)
            return EngineUpdate(Status.FAILED, failure=f"The model failed: {error}", failure_code=MODEL_FAILED)
        try:
            results = await describe([(VIDEO, video), (POSTER, poster), (LAST_FRAME, last)])
        except BadOutput as error:
            return EngineUpdate(
                Status.FAILED, failure=f"The model's output: {error}", failure_code="INTERNAL.BAD_OUTPUT"
            )
        return EngineUpdate(Status.SUCCEEDED, progress=1.0, results=results)

    async def _begin(self, task: Task) -> Job:
        task_dir = self.work_dir / task.id
        shutil.rmtree(task_dir, ignore_errors=True)
        task_dir.mkdir(parents=True)
        request = task.request
        plan = mapping.plan(request, task.seed, self.settings)
        first = await self._input_path(request.first_image, task_dir)
        last = await self._input_path(request.last_image, task_dir)
        job = Job()
        settings, out_dir, task_id = self.settings, task_dir / "out", task.id

        def on_step(step: int, steps: int) -> None:
            job.progress = DENOISING_SHARE * step / steps

        def work() -> tuple[Path, Path, Path]:
            # Imported here, on the device thread: torch never enters a process that only routes.
            # Offline before huggingface_hub is first imported (it reads this once): never a download.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from . import output, run

            try:
                frames = run.generate(settings, plan, first, last, on_step, job.cancelled)
            except Cancelled as stopped:
                log.info("task %s cancelled: stopped after step %d of %d", task_id, stopped.step, stopped.steps)
                raise
            except Exception as error:
                if is_out_of_memory(error):
                    run.loading.free_memory(settings.device)
                raise
            comment = f"Reelay diffusers {settings.family.name} {plan.width}x{plan.height} seed {plan.seed}"
            return output.encode(frames, plan.fps, plan.seconds, out_dir, comment)

        job.future = asyncio.get_running_loop().run_in_executor(device_thread(self.settings.device), work)
        self._jobs[task.id] = job
        return job

    async def _input_path(self, image: Input | None, folder: Path) -> str | None:
        if image is None:
            return None
        assert isinstance(image, MediaRef), f"unfetched input {image.field}"
        return str(await self.storage.fetch_to(image.key, folder))

    async def cancel(self, task: Task) -> None:
        job = self._jobs.pop(task.id, None)
        if job is not None:
            job.cancelled.set()  # the run stops at the end of its current step
            job.future.add_done_callback(lambda f: f.exception())  # its outcome no longer matters

    async def cleanup(self, task: Task) -> None:
        shutil.rmtree(self.work_dir / task.id, ignore_errors=True)

    async def close(self) -> None:
        # A worker stopping: runs still going end at their next step (their tasks are handed back).
        for job in self._jobs.values():
            job.cancelled.set()
