"""Helper processes that stop when the process that started them dies.

A process killed with SIGKILL runs no shutdown code, so its pools cannot stop their children;
each child watches its parent instead and exits once it is gone. multiprocessing's resource
tracker needs no watch: it exits (unlinking what the dead left behind) once the parent and these
children, all of which hold its pipe, are gone.
"""

from __future__ import annotations

import os
import threading
import time

POLL_SECONDS = 0.5


def exit_with_parent(parent: int) -> None:
    """Call in a child process (a pool's initializer) with its parent's pid, as the parent saw it
    (`os.getpid()` there): the child exits within half a second of the parent's death.

    The pid comes from the parent because a spawned child takes a second or more to get here: a
    parent killed meanwhile has already handed the child to init, and `os.getppid()` read now
    would name init, which never dies.
    """
    threading.Thread(target=_watch, args=(parent,), name="exit-with-parent", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(0)
