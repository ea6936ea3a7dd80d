"""Runway's image endpoints upstream: the create body of a text_to_image or image_upscale, and
the output images copied in.

An input goes up as the client's https URL, else (a `runway://` upload of Reelay's, a data URI)
as a data URI of our verified copy, which Runway reads as well.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from reelay.domain import catalogue
from reelay.domain.artifacts import IMAGE
from reelay.domain.request import REFERENCE, SOURCE, GenerationRequest, MediaRef
from reelay.engines.results import BadOutput, describe
from reelay.storage.base import Storage
from reelay.storage.results import ResultFile

from .errors import ResultExpired, UpstreamError
from .http import TransportFailure
from .inputs import readable_uri

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


async def image_body(request: GenerationRequest, storage: Storage, public_url: str = "") -> tuple[str, dict[str, Any]]:
    """The path and body of an official image request, as the client sent it, with our copies of
    its images."""
    body: dict[str, Any] = {"model": request.model}
    if request.kind == catalogue.IMAGE_UPSCALE:
        source = request.input_for(SOURCE)
        assert isinstance(source, MediaRef), "a stored task's inputs are fetched"
        body["imageUri"] = await readable_uri(storage, source, public_url)
    else:
        body["promptText"] = request.prompt or ""
        if request.ratio:  # a model whose ratio may be left out (Runway picks it) gets none
            body["ratio"] = request.ratio
        if request.seed is not None:
            body["seed"] = request.seed
        references = []
        for item in request.inputs:
            if isinstance(item, MediaRef) and item.role == REFERENCE:
                reference = {"uri": await readable_uri(storage, item, public_url)}
                if item.tag is not None:
                    reference["tag"] = item.tag
                references.append(reference)
        if references:
            body["referenceImages"] = references
    body.update(request.extras)  # outputCount, scaleFactor, each model's own options
    return f"/v1/{request.kind}", body


async def collect_images(
    download: Callable[[str, Path], Awaitable[None]],
    folder: Path,
    urls: list[str],
    refresh: Callable[[], Awaitable[list[str]]],
) -> list[ResultFile]:
    """Download each output image in order, probe it and name it by what it is
    (image-1.png, ...). `refresh()` reads the upstream task again when a URL has expired."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if not urls:
        raise BadOutput("the upstream task succeeded without an output image")
    files = []
    for index in range(len(urls)):
        target = folder / f"image-{index + 1}"
        for attempt in range(4):
            try:
                await download(urls[index], target)
                break
            except ResultExpired:
                urls = await refresh()
            except TransportFailure:
                await asyncio.sleep(0.5 * 2**attempt)
        else:
            raise UpstreamError(f"output image {index + 1} of the upstream could not be downloaded")
        (described,) = await describe([(IMAGE, target)])
        if described.info.content_type not in EXTENSIONS:
            raise BadOutput(f"output image {index + 1} is {described.info.content_type}, not an image")
        named = target.rename(target.with_suffix("." + EXTENSIONS[described.info.content_type]))
        files.append(ResultFile(IMAGE, named, described.info))
    return files
