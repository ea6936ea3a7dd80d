"""What an image task's fetched inputs settle: the size of an `auto` text_to_image, and the
upscale's output size under Runway's pixel limits (an input too large is the client's 400)."""

from __future__ import annotations

from dataclasses import replace

from reelay.domain import catalogue, stills
from reelay.domain.request import REFERENCE, SOURCE, GenerationRequest, MediaRef


def settle(request: GenerationRequest) -> GenerationRequest:
    """The request with its output size known; unchanged for any other kind."""
    if request.kind == catalogue.TEXT_TO_IMAGE and not stills.is_pixel_pair(request.ratio):
        first = request.input_for(REFERENCE)
        reference = None
        if isinstance(first, MediaRef) and first.width and first.height:
            reference = (first.width, first.height)
        width, height = stills.image_size(request.ratio, reference)
        return replace(request, width=width, height=height)
    if request.kind == catalogue.IMAGE_UPSCALE:
        source = request.input_for(SOURCE)
        assert isinstance(source, MediaRef) and source.width and source.height, "an upscale's input is a probed image"
        width, height = stills.upscale_size(source.width, source.height, stills.upscale_factor(request))
        return replace(request, width=width, height=height)
    return request
