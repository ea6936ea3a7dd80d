"""How a diffusers task fails: the failure codes, and telling an out-of-memory apart (no torch
here: the engine reads these in the event loop of any process)."""

from __future__ import annotations

MODEL_NOT_FOUND = "INTERNAL.MODEL_NOT_FOUND"  # the folder is missing, or is no diffusers folder
MODEL_INVALID = "INTERNAL.MODEL_INVALID"  # the folder is there but does not load or run
OUT_OF_MEMORY = "INTERNAL.OUT_OF_MEMORY"
MODEL_FAILED = "INTERNAL"  # the pipeline raised something else


class ModelError(Exception):
    """A model that cannot be used: `code` is the task's failure code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_out_of_memory(error: BaseException) -> bool:
    """torch.OutOfMemoryError (CUDA's), a host MemoryError, or a backend's "out of memory"."""
    if isinstance(error, MemoryError) or type(error).__name__ == "OutOfMemoryError":
        return True
    return isinstance(error, RuntimeError) and "out of memory" in str(error).lower()


class Cancelled(Exception):
    """The task was cancelled: the run stopped after `step` of `steps` denoising steps."""

    def __init__(self, step: int, steps: int) -> None:
        super().__init__(f"cancelled after step {step} of {steps}")
        self.step = step
        self.steps = steps
