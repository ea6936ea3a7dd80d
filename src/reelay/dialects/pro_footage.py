"""The pro family's video routes: `video2video`, `aleph`, `act_one` and `act_two` (SPEC §2.5).

Each body is checked for what every engine needs and translated into a GenerationRequest whose
files are typed inputs: the sandbox renders them, and a relay upstream gets the client's body
as it was sent (`extras["body"]`). Bodies: reference/aggregator-runway-format.md §1.2–1.3 and
reference/runway-surface.md (aleph: `video`, `prompt`, `images` ≤ 1, `options.seconds`).
"""

from __future__ import annotations

from typing import Any

from reelay.domain.artifacts import MediaKind
from reelay.domain.errors import CallbackUrlEmpty, InputError, Problem
from reelay.domain.footage import PERFORMANCE_KINDS, PRO_ALEPH, REFERENCE_SECONDS
from reelay.domain.request import CHARACTER, REFERENCE, VIDEO, GenerationRequest, MediaInput

PROMPT_UNITS = 1000
PORTRAIT = (720, 1280)  # options.flip
LANDSCAPE = (1280, 720)  # Act-One takes 16:9 assets
VIDEO2VIDEO_SECONDS = 10  # Gen-3's video to video renders at most 10 s of the source
ALEPH_SECONDS = 5  # aleph's options.seconds, by default


def parse_pro_footage(kind: str, body: dict[str, Any], *, require_callback: bool) -> GenerationRequest:
    callback = body.get("callback_url")
    if require_callback and not (isinstance(callback, str) and callback.strip()):
        raise CallbackUrlEmpty()
    options = body.get("options")
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise InputError("options", "must be an object", problem=Problem.WRONG_TYPE)
    video = _url(body, "video", "the URL of the source video")
    prompt = body.get("prompt") if isinstance(body.get("prompt"), str) and body["prompt"].strip() else None
    if prompt is not None and len(prompt) > PROMPT_UNITS:
        raise InputError("prompt", f"must be at most {PROMPT_UNITS} characters", problem=Problem.TOO_BIG)
    flip = options.get("flip", False)
    if not isinstance(flip, bool):
        raise InputError("options.flip", "must be true or false", problem=Problem.WRONG_TYPE)
    given = body.get("model")
    model = given if isinstance(given, str) and given else "gen3"
    extras: dict[str, Any] = {"body": {k: v for k, v in body.items() if k != "callback_url"}}
    width, height = PORTRAIT if flip else (0, 0)  # (0, 0): the size nearest the source's shape
    inputs: tuple[MediaInput, ...]
    if kind in PERFORMANCE_KINDS:
        inputs = (
            _character(body),
            MediaInput(video, "video", kind=MediaKind.VIDEO, role=REFERENCE, seconds=REFERENCE_SECONDS),
        )
        width, height = PORTRAIT if flip else LANDSCAPE
        engine_model = "act_two"
        intensity = options.get("expression_intensity")
        if intensity is not None:
            if not isinstance(intensity, int) or isinstance(intensity, bool) or not 1 <= intensity <= 5:
                raise InputError("options.expression_intensity", "must be an integer from 1 to 5")
            extras["expressionIntensity"] = intensity
    else:
        inputs = (MediaInput(video, "video", kind=MediaKind.VIDEO, role=VIDEO),)
        engine_model = model
        extras["most_seconds"] = VIDEO2VIDEO_SECONDS
        if kind == PRO_ALEPH:
            if prompt is None:
                raise InputError("prompt", "is required: what to change in the video", problem=Problem.MISSING)
            inputs += _aleph_images(body.get("images"))
            extras["most_seconds"] = _aleph_seconds(options.get("seconds", ALEPH_SECONDS))
            engine_model = "aleph2"
    return GenerationRequest(
        dialect="pro",
        kind=kind,
        model=model,
        engine_model=engine_model,
        ratio=f"{width}:{height}" if width else "",
        width=width,
        height=height,
        seconds=0,  # the source's length, once it is probed
        prompt=prompt,
        inputs=inputs,
        seed=_seed(body.get("seed")),
        callback_url=callback if isinstance(callback, str) and callback.strip() else None,
        extras=extras,
    )


def _url(body: dict[str, Any], name: str, what: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InputError(name, f"is required: {what}", problem=Problem.MISSING)
    return value.strip()


def _character(body: dict[str, Any]) -> MediaInput:
    """The character: `image`, or `character_video` (duomi's Act-Two) when no image is given."""
    video = body.get("character_video")
    if isinstance(video, str) and video.strip() and not (isinstance(body.get("image"), str) and body["image"].strip()):
        return MediaInput(video.strip(), "character_video", kind=MediaKind.VIDEO, role=CHARACTER)
    return MediaInput(_url(body, "image", "the URL of the character image"), "image", role=CHARACTER)


def _aleph_images(value: Any) -> tuple[MediaInput, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > 1:
        raise InputError("images", "must be a list of at most one image URL")
    if value and (not isinstance(value[0], str) or not value[0].strip()):
        raise InputError("images.0", "must be an image URL")
    return tuple(MediaInput(item.strip(), f"images.{i}", role=REFERENCE) for i, item in enumerate(value))


def _aleph_seconds(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= VIDEO2VIDEO_SECONDS:
        raise InputError("options.seconds", f"must be an integer from 1 to {VIDEO2VIDEO_SECONDS}")
    return value


def _seed(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4294967295:
        raise InputError("seed", "must be an integer from 0 to 4294967295")
    return value
