"""Wire shapes: Runway's official task object, the duomi "pro" task object and envelope,
CometAPI's new-api feed wrapper (reference/runway-official-api.md §4, aggregator-runway-format.md §2),
and OpenAI's `Video` object and error (`openai` 3.51's types/video.py, video_create_error.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Protocol

from .images import image_count, is_image_task
from .state import Task

# Most specific prefix first; Runway's failureCode is dot-separated, most generic part first.
_FAILURES = [
    ("SAFETY.INPUT", "Your input did not pass our content moderation. Please revise it and try again."),
    ("SAFETY.OUTPUT", "The generated output did not pass our content moderation."),
    ("INTERNAL.BAD_OUTPUT", "The generated output did not meet our quality standards."),
    ("INPUT_PREPROCESSING.SAFETY", "Your input did not pass our content moderation."),
    ("INPUT_PREPROCESSING", "An input could not be processed."),
    ("ASSET.INVALID", "An input asset is invalid or could not be read."),
]


def failure_text(code: str) -> str:
    for prefix, text in _FAILURES:
        if code == prefix or code.startswith(prefix + "."):
            return text
    return "An unexpected error occurred while generating."


def iso(ts: float) -> str:
    """Runway's createdAt: ISO 8601, UTC, milliseconds, `Z`."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Urls(Protocol):
    def __call__(self, task: Task, kind: str) -> str: ...  # kind: "mp4" | "poster" | "last_frame"


def official_task(task: Task, now: float, urls: Urls) -> dict[str, Any]:
    status = task.status(now)
    body: dict[str, Any] = {"id": task.id, "status": status, "createdAt": iso(task.created_at)}
    if status in ("PENDING", "THROTTLED", "RUNNING"):
        body["estimatedCost"] = {"credits": task.credits}
    else:  # final: refunded tasks report 0, as Runway's current API does
        body["cost"] = {"credits": task.credits if status == "SUCCEEDED" else 0}
    if status == "RUNNING":
        body["progress"] = task.progress(now)
    elif status == "SUCCEEDED":
        if is_image_task(task.endpoint):
            body["output"] = [urls(task, f"image{n}") for n in range(1, image_count(task.body) + 1)]
        else:
            body["output"] = [urls(task, "mp4")]
    elif status == "FAILED":
        body["failure"] = failure_text(task.fail_code or "")
        body["failureCode"] = task.fail_code
    return body


# duomi `status`: "0" queued, "1" running, "2" failed or cancelled, "3" succeeded.
PRO_STATUS = {"PENDING": "0", "THROTTLED": "0", "RUNNING": "1", "FAILED": "2", "CANCELLED": "2", "SUCCEEDED": "3"}


def pro_task(task: Task, now: float, urls: Urls) -> dict[str, Any]:
    status = task.status(now)
    code = PRO_STATUS[status]
    done = status == "SUCCEEDED"
    prompt = task.body.get("prompt") if isinstance(task.body, dict) else None
    return {
        "task_id": task.id,
        "status": code,
        "state": status.lower(),
        "prompt": prompt if isinstance(prompt, str) else "",
        "prompt_en": prompt if isinstance(prompt, str) and code != "0" else None,  # "translated" once started
        "video_url": urls(task, "mp4") if done else None,
        "raw_video_url": None,  # always null in the resellers' own examples
        "poster": urls(task, "poster") if done else None,
        "last_frame": urls(task, "last_frame") if done else None,
        "msg": {"FAILED": failure_text(task.fail_code or ""), "CANCELLED": "cancelled"}.get(status),
        "point": str(task.credits),
        "refund": "1" if code == "2" else "0",
        "create_time": str(int(task.created_at)),
        "update_time": str(int(task.changed_at(now))),
    }


def pro_envelope(data: Any, code: int = 200, msg: str = "成功", exec_time: float = 0.0) -> dict[str, Any]:
    return {"code": code, "msg": msg, "data": data, "exec_time": round(exec_time, 6)}


# new-api's TaskDto (QuantumNous/new-api dto/task.go), as CometAPI's feed returns it now.
_NEWAPI_STATUS = {
    "PENDING": "QUEUED",
    "THROTTLED": "QUEUED",
    "RUNNING": "IN_PROGRESS",
    "SUCCEEDED": "SUCCESS",
    "FAILED": "FAILURE",
    "CANCELLED": "FAILURE",
}


def _action(task: Task) -> str:
    if task.endpoint.endswith("video2video"):
        return "VIDEO_TO_VIDEO"
    if task.endpoint.endswith("act_one"):
        return "ACT_ONE"
    return "IMAGE_TO_VIDEO" if isinstance(task.body, dict) and task.body.get("image") else "TEXT_TO_VIDEO"


def newapi_task(task: Task, now: float, urls: Urls) -> dict[str, Any]:
    status = task.status(now)
    final = status not in ("PENDING", "THROTTLED", "RUNNING")
    progress = {"RUNNING": f"{int(task.progress(now) * 100)}%"}.get(status, "100%" if final else "0%")
    inner = official_task(task, now, urls)
    started = task.running_at <= min(now, task.ended_at)  # reached RUNNING (before any cancel)
    return {
        "code": "success",
        "message": "",
        "data": {
            "task_id": task.id,
            "action": _action(task),
            "status": _NEWAPI_STATUS[status],
            "fail_reason": inner.get("failure", "cancelled" if status == "CANCELLED" else ""),
            "submit_time": int(task.created_at),
            "start_time": int(task.running_at) if started else 0,
            "finish_time": int(task.ended_at) if final else 0,
            "progress": progress,
            "result_url": inner["output"][0] if status == "SUCCEEDED" else "",
            "data": inner,
        },
    }


def newapi_error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "data": None}


def official_error(message: str) -> dict[str, Any]:
    return {"error": message}


# Stable reason words for pro errors (SPEC §2.3 uses the same vocabulary).
PRO_REASONS = {
    400: "invalid_parameters",
    401: "unauthorized",
    402: "insufficient_points",
    403: "forbidden",
    404: "task_not_exist",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# -- OpenAI's /v1/videos ---------------------------------------------------------------------

OPENAI_STATUS = {
    "PENDING": "queued",
    "THROTTLED": "queued",
    "RUNNING": "in_progress",
    "SUCCEEDED": "completed",
    "FAILED": "failed",
    "CANCELLED": "failed",
}
# Messages of the failure codes a test gives with [emu:fail=CODE]; any other code gets a generic one.
OPENAI_FAILURES = {
    "moderation_blocked": "Your request was blocked by our moderation system.",
    "internal_error": "Video generation failed due to an internal error.",
}
_OPENAI_ERROR_TYPES = {401: "invalid_request_error", 429: "requests"}


def openai_error(message: str, status: int = 400, param: str | None = None, code: str | None = None) -> dict:
    kind = _OPENAI_ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def openai_video(task: Task, now: float) -> dict[str, Any]:
    """The `Video` object: status, whole-percent progress, and once final `completed_at`, then
    `expires_at` (when /content stops answering) or `error`."""
    status = task.status(now)
    body = task.body if isinstance(task.body, dict) else {}
    video: dict[str, Any] = {
        "id": task.id,
        "object": "video",
        "created_at": int(task.created_at),
        "status": OPENAI_STATUS[status],
        "model": body.get("model") or "emulated-video",
        "progress": {"RUNNING": int(task.progress(now) * 100), "SUCCEEDED": 100}.get(status, 0),
        "seconds": body.get("seconds") or "4",
        "size": body.get("size") or "720x1280",
        "prompt": body.get("prompt"),
        "remixed_from_video_id": None,
        "completed_at": None,
        "expires_at": None,
        "error": None,
    }
    if status in ("SUCCEEDED", "FAILED", "CANCELLED"):
        video["completed_at"] = int(task.ended_at)
    if status == "SUCCEEDED":
        video["expires_at"] = int(task.final_at + task.url_ttl_seconds)
    elif status == "CANCELLED":
        video["error"] = {"code": "cancelled", "message": "The video was cancelled."}
    elif status == "FAILED":
        code = task.fail_code or "internal_error"
        message = OPENAI_FAILURES.get(code, f"Video generation failed ({code}).")
        video["error"] = {"code": code, "message": message}
    return video
