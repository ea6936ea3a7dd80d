"""A process pool for renders, with progress reported back and cancellation by flag file.

Renders are CPU-bound: running them in processes keeps the event loop (and the API) responsive.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from reelay.orphans import exit_with_parent

_progress_queue = None  # set in each render process by _init


def _init(progress_queue) -> None:
    global _progress_queue
    _progress_queue = progress_queue
    exit_with_parent()


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
            max_workers=max(1, processes), mp_context=context, initializer=_init, initargs=(self._queue,)
        )
        self.progress: dict[str, float] = {}
        self._stopping = False
        self._drainer = threading.Thread(target=self._drain, name="render-progress", daemon=True)
        self._drainer.start()

    def _drain(self) -> None:
        while not self._stopping:
            try:
                task_id, fraction = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            except (EOFError, OSError):
                return
            self.progress[task_id] = fraction

    def submit(self, task_id: str, job, cancel_flag: Path) -> asyncio.Future:
        future: Future = self._executor.submit(_run, task_id, job, str(cancel_flag))
        return asyncio.wrap_future(future)

    def shutdown(self) -> None:
        self._stopping = True
        self._executor.shutdown(wait=False, cancel_futures=True)
