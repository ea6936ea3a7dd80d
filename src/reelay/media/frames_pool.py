"""Posters and last frames made from upstream videos, in a process of their own.

Decoding a video holds the GIL for much of its time (PyAV's work between frames, PIL's
conversions). On a thread of the worker it stalls the event loop that polls thousands of
upstream tasks: with 10,000 in flight it took a third of the loop's time. One process, started
on first use and shared by every engine of this process, keeps that work off the loop and puts
the machine's other core to use.
"""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from reelay.orphans import exit_with_parent

from .frames import first_and_last_frames

_executor: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _pool() -> ProcessPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            context = multiprocessing.get_context("spawn")
            _executor = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=exit_with_parent, initargs=(os.getpid(),)
            )
        return _executor


def _discard(broken: ProcessPoolExecutor) -> None:
    global _executor
    with _lock:
        if _executor is broken:
            _executor = None
    broken.shutdown(wait=False, cancel_futures=True)


async def make_first_and_last_frames(video: Path, poster: Path, last_frame: Path) -> None:
    """`first_and_last_frames` in the shared process; a fresh process if that one died."""
    loop = asyncio.get_running_loop()
    for attempt in range(2):
        pool = _pool()
        try:
            return await loop.run_in_executor(pool, first_and_last_frames, video, poster, last_frame)
        except BrokenProcessPool:
            _discard(pool)
            if attempt:
                raise


@atexit.register
def shutdown() -> None:
    """Stop the process and free the pool's semaphores. `Reelay.close` calls this: a server
    stopped by SIGTERM dies of the signal (uvicorn raises it again) and runs no exit handler."""
    global _executor
    with _lock:
        pool, _executor = _executor, None
    if pool is not None:
        pool.shutdown(wait=True)
