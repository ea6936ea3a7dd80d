"""A process pool for renders, with progress reported back and cancellation by flag file.

Renders are CPU-bound: running them in processes keeps the event loop (and the API) responsive.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from reelay.orphans import exit_with_parent

_progress_queue = None  # set in each render process by _init


def _init(progress_queue, parent: int) -> None:
    global _progress_queue
    _progress_queue = progress_queue
    exit_with_parent(parent)


def _run(task_id: str, job, cancel_flag: str):
    from .render import render

    def progress(fraction: float) -> None:
        _progress_queue.put((task_id, fraction))

    return render(job, progress, lambda: os.path.exists(cancel_flag))


class RenderPool:
    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._queue = context.Queue()
        self._executor = ProcessPoolExecutor(
            max_workers=max(1, processes),
            mp_context=context,
            initializer=_init,
            initargs=(self._queue, os.getpid()),
        )
        self.progress: dict[str, float] = {}
        self._cancel_flags: dict[Future, Path] = {}  # of the renders not yet done
        self._drainer = threading.Thread(target=self._drain, name="render-progress", daemon=True)
        self._drainer.start()

    def _drain(self) -> None:
        while True:
            try:
                item = self._queue.get()
            except (EOFError, OSError):
                return
            if item is None:  # sent by shutdown
                return
            task_id, fraction = item
            self.progress[task_id] = fraction

    def submit(self, task_id: str, job, cancel_flag: Path) -> asyncio.Future:
        future: Future = self._executor.submit(_run, task_id, job, str(cancel_flag))
        self._cancel_flags[future] = cancel_flag
        future.add_done_callback(lambda done: self._cancel_flags.pop(done, None))
        return asyncio.wrap_future(future)

    def shutdown(self) -> None:
        """Cancel the renders (the stopped worker handed their tasks back), wait for the processes
        to exit and free the pool's semaphores. No exit handler would: uvicorn ends a server on
        SIGTERM by raising the signal again, and the resource tracker then reports them leaked."""
        if self._executor is None:
            return
        for flag in list(self._cancel_flags.values()):
            try:
                flag.touch()
            except OSError:  # its folder is gone: that render has ended
                pass
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._queue.put(None)
        self._drainer.join()
        self._queue.close()
        self._queue.join_thread()
        # Semaphores are unlinked when their objects go, and the executor holds the queue too.
        self._executor = self._queue = None
