"""Loading a channel's pipeline from its local folder, once per process; never a download.

Imported only inside a worker's device thread (engine.py), never by an API process: it imports
torch and diffusers. `local_files_only` (and HF_HUB_OFFLINE, set by the engine before diffusers
is first imported) make a folder missing a file fail here instead of reaching for the Hub.
"""

from __future__ import annotations

import threading
from typing import Any

import torch

from .errors import MODEL_INVALID, MODEL_NOT_FOUND, OUT_OF_MEMORY, ModelError, is_out_of_memory
from .families import LTX_CONDITION, WAN_I2V, WAN_T2V
from .settings import DiffusersSettings

_DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}
_lock = threading.Lock()
_loaded: dict[tuple[Any, ...], Any] = {}


def _key(settings: DiffusersSettings) -> tuple[Any, ...]:
    return (
        str(settings.model_dir.resolve()),
        settings.family.loads,
        settings.dtype,
        settings.device,
        settings.cpu_offload,
    )


def pipeline(settings: DiffusersSettings) -> Any:
    """The channel's pipeline, loaded on first use and kept for the life of the process.
    Channels naming the same folder, dtype and device share one copy. A failed load is not
    kept: the next task tries again (the operator may have fixed the folder)."""
    key = _key(settings)
    with _lock:
        found = _loaded.get(key)
        if found is None:
            found = _loaded[key] = _load(settings)
        return found


def _load(settings: DiffusersSettings) -> Any:
    folder = settings.model_dir
    if not (folder / "model_index.json").is_file():
        what = "does not exist" if not folder.exists() else "has no model_index.json (not a diffusers folder)"
        raise ModelError(MODEL_NOT_FOUND, f"The model folder {folder} of channel {settings.channel} {what}.")
    import diffusers

    cls = getattr(diffusers, settings.family.loads)
    try:
        components = {}
        if settings.family.loads in (WAN_T2V, WAN_I2V) and settings.dtype != "float32":
            # Wan's VAE decodes better in float32 (diffusers' wan.md); the pipelines cast the
            # latents to the VAE's dtype before decoding.
            components["vae"] = diffusers.AutoencoderKLWan.from_pretrained(
                str(folder), subfolder="vae", dtype=torch.float32, local_files_only=True
            )
        pipe = cls.from_pretrained(str(folder), dtype=_DTYPES[settings.dtype], local_files_only=True, **components)
    except Exception as error:
        if is_out_of_memory(error):
            raise ModelError(OUT_OF_MEMORY, f"Out of memory loading {folder}: {error}") from error
        raise ModelError(
            MODEL_INVALID, f"The model folder {folder} of channel {settings.channel} does not load: {error}"
        ) from error
    try:
        if settings.cpu_offload:
            pipe.enable_model_cpu_offload(device=settings.device)
        else:
            pipe.to(settings.device)
    except Exception as error:
        if is_out_of_memory(error):
            raise ModelError(OUT_OF_MEMORY, f"Out of memory moving {folder} to {settings.device}: {error}") from error
        raise ModelError(MODEL_INVALID, f"The model of {folder} does not run on {settings.device}: {error}") from error
    pipe.set_progress_bar_config(disable=True)
    return pipe


def for_images(pipe: Any, first: bool) -> Any:
    """The pipeline that takes a first image: the loaded one, or for a text-to-video folder that
    also does image-to-video (Wan 2.2 TI2V-5B) the image pipeline over the same components."""
    if not first or type(pipe).__name__ in (WAN_I2V, LTX_CONDITION):
        return pipe
    assert type(pipe).__name__ == WAN_T2V, f"{type(pipe).__name__} takes no image"
    import diffusers

    with _lock:
        derived = getattr(pipe, "_reelay_i2v", None)
        if derived is None:
            derived = diffusers.WanImageToVideoPipeline.from_pipe(pipe)
            derived.set_progress_bar_config(disable=True)
            pipe._reelay_i2v = derived
        return derived


def free_memory(device: str) -> None:
    """After an out-of-memory: give the allocator's cache back so the next task has a chance."""
    if device.startswith("cuda") and torch.cuda.is_available():
        torch.cuda.empty_cache()
