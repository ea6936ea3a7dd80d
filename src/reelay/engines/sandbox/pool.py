"""A process pool for renders, with progress reported back and cancellation by flag file.

Renders are CPU-bound: running them in processes keeps the event loop (and the API) responsive.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.queues import Queue
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from reelay.orphans import exit_with_parent

if TYPE_CHECKING:
    from .images import StillsResult, TextToImageJob, UpscaleJob
    from .performance import PerformanceJob
    from .render import RenderJob, RenderResult
    from .video_render import VideoJob

    Job: TypeAlias = RenderJob | PerformanceJob | TextToImageJob | UpscaleJob | VideoJob

# (task id, fraction rendered) from the render processes; None, sent by shutdown, ends the drain.
ProgressQueue: TypeAlias = "Queue[tuple[str, float] | None]"

_progress_queue: ProgressQueue | None = None  # set in each render process by _init


def _init(progress_queue: ProgressQueue, parent: int) -> None:
    global _progress_queue
    _progress_queue = progress_queue
    exit_with_parent(parent)


def _run(task_id: str, job: Job, cancel_flag: str) -> RenderResult | StillsResult:
    from .images import TextToImageJob, UpscaleJob
    from .performance import PerformanceJob, render_performance
    from .render import render
    from .video_render import VideoJob, render_video

    queue = _progress_queue
    assert queue is not None, "_init runs in every render process before its first render"

    def progress(fraction: float) -> None:
        queue.put((task_id, fraction))

    def cancelled() -> bool:
        return os.path.exists(cancel_flag)

    if isinstance(job, TextToImageJob | UpscaleJob):  # an image job (images.py) runs itself
        return job.run(progress, cancelled)
    if isinstance(job, PerformanceJob):
        return render_performance(job, progress, cancelled)
    if isinstance(job, VideoJob):
        return render_video(job, progress, cancelled)
    return render(job, progress, cancelled)


class RenderPool:
    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        # Both are None once shut down.
        self._queue: ProgressQueue | None = context.Queue()
        self._executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=max(1, processes),
            mp_context=context,
            initializer=_init,
            initargs=(self._queue, os.getpid()),
        )
        self.progress: dict[str, float] = {}
        self._cancel_flags: dict[Future[RenderResult | StillsResult], Path] = {}  # of the renders not yet done
        self._drainer = threading.Thread(target=self._drain, args=(self._queue,), name="render-progress", daemon=True)
        self._drainer.start()

    def _drain(self, queue: ProgressQueue) -> None:
        while True:
            try:
                item = queue.get()
            except (EOFError, OSError):
                return
            if item is None:  # sent by shutdown
                return
            task_id, fraction = item
            self.progress[task_id] = fraction

    def submit(self, task_id: str, job: Job, cancel_flag: Path) -> asyncio.Future[RenderResult | StillsResult]:
        if self._executor is None:
            raise RuntimeError("the render pool is shut down")
        future = self._executor.submit(_run, task_id, job, str(cancel_flag))
        self._cancel_flags[future] = cancel_flag
        future.add_done_callback(lambda done: self._cancel_flags.pop(done, None))
        return asyncio.wrap_future(future)

    def shutdown(self) -> None:
        """Cancel the renders (the stopped worker handed their tasks back), wait for the processes
        to exit and free the pool's semaphores. No exit handler would: uvicorn ends a server on
        SIGTERM by raising the signal again, and the resource tracker then reports them leaked."""
        if self._executor is None or self._queue is None:
            return
        for flag in list(self._cancel_flags.values()):
            with contextlib.suppress(OSError):  # its folder is gone: that render has ended
                flag.touch()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._queue.put(None)
        self._drainer.join()
        self._queue.close()
        self._queue.join_thread()
        # Semaphores are unlinked when their objects go, and the executor holds the queue too.
        self._executor = self._queue = None
