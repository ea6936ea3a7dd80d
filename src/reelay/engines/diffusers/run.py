"""One generation on the device's thread: the pipeline called with the plan, progress from each
denoising step, a cancel honoured at the next step. Imports torch: never in an API process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from PIL import Image

from reelay.engines.sandbox.stills import load_still

from . import loading
from .errors import Cancelled
from .families import LTX_CONDITION
from .mapping import Plan
from .settings import DiffusersSettings


def picture(path: str, width: int, height: int) -> Image.Image:
    """An input image as the sandbox takes it: upright, flattened, cropped to the plan's aspect
    around its centre and resized to its size."""
    return Image.fromarray(load_still(path, width, height))


def generate(
    settings: DiffusersSettings,
    plan: Plan,
    first: str | None,
    last: str | None,
    on_step: Callable[[int, int], None],
    cancelled: threading.Event,
) -> np.ndarray:
    """The model's frames, (frames, height, width, 3) uint8. Raises Cancelled between steps."""
    if cancelled.is_set():  # cancelled while it waited for the device
        raise Cancelled(0, plan.steps)
    pipe = loading.for_images(loading.pipeline(settings), first is not None)
    # A CPU generator whatever the device: the same seed gives the same noise on any machine.
    generator = torch.Generator("cpu").manual_seed(plan.seed)
    args: dict[str, Any] = dict(
        prompt=plan.prompt,
        negative_prompt=plan.negative_prompt or None,
        height=plan.height,
        width=plan.width,
        num_frames=plan.frames,
        num_inference_steps=plan.steps,
        guidance_scale=plan.guidance,
        generator=generator,
        output_type="np",
    )
    first_image = picture(first, plan.width, plan.height) if first else None
    last_image = picture(last, plan.width, plan.height) if last else None
    if type(pipe).__name__ == LTX_CONDITION:
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        conditions = []
        if first_image is not None:
            conditions.append(LTXVideoCondition(image=first_image, frame_index=0))
        if last_image is not None:
            conditions.append(LTXVideoCondition(image=last_image, frame_index=plan.frames - 1))
        args.update(conditions=conditions or None, frame_rate=plan.fps)
    else:
        if first_image is not None:
            args["image"] = first_image
        if last_image is not None:
            # Only families that honour it get here (Family.takes): TI2V-5B would drop it silently.
            args["last_image"] = last_image

    def step_end(pipeline: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        if cancelled.is_set():
            raise Cancelled(step + 1, plan.steps)
        on_step(step + 1, plan.steps)
        return tensors

    with torch.inference_mode():
        frames = pipe(**args, callback_on_step_end=step_end).frames[0]
    return (np.clip(np.asarray(frames, dtype=np.float32), 0.0, 1.0) * 255.0).round().astype(np.uint8)
