"""Helper processes that stop when the process that started them dies.

A process killed with SIGKILL runs no shutdown code, so its pools cannot stop their children;
each child watches its parent instead and exits once it is gone.
"""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent() -> None:
    """Call in a child process (a pool's initializer): it exits within a second of its parent."""
    parent = os.getppid()
    threading.Thread(target=_watch, args=(parent,), name="exit-with-parent", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)
