"""Prompt markers that make the sandbox misbehave on purpose, like a payment provider's test cards.

[sandbox:fail=SAFETY.INPUT.TEXT]   end FAILED with that failureCode
[sandbox:delay=3]                  stay RUNNING at least 3 seconds, progress following the wait
[sandbox:throttle=2]               wait THROTTLED for 2 seconds first
[sandbox:camera=x,y,z,r,bg_x_pan,bg_y_pan]   a motion vector for the official dialect

They are read from the prompt and from the X-Reelay-Sandbox header (`GenerationRequest.markers`),
which endpoints without a prompt (image_upscale) have only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reelay.domain.request import GenerationRequest

_MARKER = re.compile(r"\[sandbox:(\w+)=([^\]]*)\]")

# Human sentences for the failure codes Runway documents; others get a generic one.
FAILURE_MESSAGES = {
    "SAFETY.INPUT.TEXT": "The prompt text was flagged by content moderation.",
    "SAFETY.INPUT.IMAGE": "The input image was flagged by content moderation.",
    "SAFETY.OUTPUT": "The generated video was flagged by content moderation.",
    "INTERNAL.BAD_OUTPUT": "The generated video did not pass quality checks.",
    "INPUT_PREPROCESSING.SAFETY.TEXT": "The prompt text was rejected before generation.",
    "INPUT_PREPROCESSING.INTERNAL": "The moderation system could not process the input.",
    "ASSET.INVALID": "An input asset could not be used.",
    "INTERNAL": "An internal error occurred.",
}


@dataclass(frozen=True)
class Markers:
    fail: str | None = None
    delay: float = 0.0
    throttle: float = 0.0
    camera: tuple[float, ...] | None = None

    @property
    def failure_message(self) -> str:
        code = self.fail or "INTERNAL"
        for prefix in sorted(FAILURE_MESSAGES, key=len, reverse=True):
            if code == prefix or code.startswith(prefix + "."):
                return FAILURE_MESSAGES[prefix]
        return f"The task failed with code {code} (sandbox marker)."


def parse(prompt: str | None) -> Markers:
    if not prompt:
        return Markers()
    found: dict = {}
    for name, value in _MARKER.findall(prompt):
        value = value.strip()
        try:
            if name == "fail" and value:
                found["fail"] = value
            elif name in ("delay", "throttle"):
                found[name] = max(0.0, min(float(value), 3600.0))
            elif name == "camera":
                axes = [max(-10.0, min(10.0, float(v))) for v in value.split(",")]
                found["camera"] = tuple((axes + [0.0] * 6)[:6])
        except ValueError:
            continue  # a malformed marker is ignored, as text would be
    return Markers(**found)


def of(request: GenerationRequest) -> Markers:
    """The markers of a request: its prompt's and its header's."""
    return parse(" ".join(text for text in (request.prompt, request.markers) if text))


def delay_fraction(delay: float, elapsed: float) -> float:
    """How much of a `[sandbox:delay=N]` wait has passed, 0..1 (1 without a delay)."""
    return 1.0 if delay <= 0 else max(0.0, min(elapsed / delay, 1.0))


def strip(prompt: str | None) -> str | None:
    if prompt is None:
        return None
    return re.sub(r"\s{2,}", " ", _MARKER.sub("", prompt)).strip()
