"""Describing an engine's result files for real before they are stored: kind, size, duration."""

from __future__ import annotations

import asyncio
from pathlib import Path

from reelay.media.probe import Unreadable, probe
from reelay.storage.results import ResultFile


class BadOutput(Exception):
    """A result file that is not what it should be (the engine's fault, never the client's)."""


async def describe(files: list[tuple[str, Path]]) -> list[ResultFile]:
    """(role, path) of each result, in order -> ResultFiles, probed (off the event loop)."""
    described = []
    for role, path in files:
        try:
            # Headers only: a worker stores thousands of results; the engine made these files.
            probed = await asyncio.to_thread(probe, path, decode=False)
        except Unreadable as error:
            raise BadOutput(f"the {role} result {error}") from None
        described.append(ResultFile(role=role, path=path, info=probed.info))
    return described
