"""Turning rows into domain objects and back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reelay.domain.artifacts import results_from_json, results_to_json
from reelay.domain.request import GenerationRequest
from reelay.domain.schedule import ScheduleState
from reelay.domain.status import Status
from reelay.domain.task import Task


def from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def task_from_row(row: Any) -> Task:
    m = row._mapping
    return Task(
        id=m["id"],
        api_key_id=m["api_key_id"],
        request=GenerationRequest.from_json(m["request"]),
        status=Status(m["status"]),
        created_at=from_epoch(m["created_at"]),
        updated_at=from_epoch(m["updated_at"]),
        progress=m["progress"],
        seed=m["seed"],
        failure=m["failure"],
        failure_code=m["failure_code"],
        results=results_from_json(m["results"]),
        raw_video_url=m["raw_video_url"],
        points=m["points"],
        refunded=bool(m["refunded"]),
        channel=m["channel"],
        engine_state=dict(m["engine_state"] or {}),
        schedule=ScheduleState.from_json(m["schedule_state"]),
        deleted=bool(m["deleted"]),
        lease_owner=m["lease_owner"],
        attempts=m["attempts"],
        next_check_at=m.get("next_check_at"),
    )


def task_to_row(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "api_key_id": task.api_key_id,
        "model": task.request.engine_model,
        "request": task.request.to_json(),
        "status": task.status.value,
        "progress": task.progress,
        "seed": task.seed,
        "failure": task.failure,
        "failure_code": task.failure_code,
        "results": results_to_json(task.results),
        "raw_video_url": task.raw_video_url,
        "points": task.points,
        "refunded": task.refunded,
        "channel": task.channel,
        "engine_state": task.engine_state,
        "schedule_state": task.schedule.to_json(),
        "deleted": task.deleted,
        "created_at": task.created_at.timestamp(),
        "updated_at": task.updated_at.timestamp(),
    }
