"""Admin routes: only the admin key may call them."""

from __future__ import annotations

from fastapi import APIRouter, Request

from reelay.dialects.common import caller, services
from reelay.domain.errors import Forbidden
from reelay.store.slots import SlotStore

router = APIRouter(prefix="/admin")


async def admin(request: Request):
    key = await caller(request)
    if not key.is_admin:
        raise Forbidden("Authorization: this route needs the admin key.")
    return key


@router.get("/callbacks")
async def list_callbacks(request: Request, task_id: str | None = None, state: str | None = None, limit: int = 200):
    """Every delivery, with every attempt: time, HTTP status, error, next try."""
    await admin(request)
    store = services(request).callbacks
    deliveries = await store.list(task_id=task_id, state=state, limit=min(max(limit, 1), 1000))
    attempts = await store.attempts([d.id for d in deliveries])
    return {
        "data": [
            {
                "id": d.id,
                "task_id": d.task_id,
                "status": d.event_status.value,
                "url": d.url,
                "state": d.state,
                "attempts": d.attempts,
                "created_at": d.created_at,
                "next_attempt_at": d.next_attempt_at,
                "delivered_at": d.delivered_at,
                "last_error": d.last_error,
                "history": attempts[d.id],
            }
            for d in deliveries
        ]
    }


@router.post("/callbacks/{delivery_id}/resend")
async def resend_callback(delivery_id: str, request: Request):
    await admin(request)
    if not await services(request).callbacks.resend(delivery_id):
        return {"resent": False}
    return {"resent": True}


@router.get("/channels")
async def list_channels(request: Request):
    """Every channel with its health, tasks in flight and recent errors (as this process saw them)."""
    await admin(request)
    reelay = services(request)
    registry = reelay.engines
    live = await reelay.tasks.live_by_engine()
    slots = await SlotStore(reelay.db).in_use()
    channels = []
    for name, config in registry.channels.items():
        health = registry.health[name]
        channels.append(
            {
                "name": name,
                "engine": config.engine,
                "base_url": config.base_url,
                "models": list(config.models),
                "priority": config.priority,
                "weight": config.weight,
                "capacity": config.capacity,
                "keys": len(config.keys),
                "healthy": health.healthy,
                "failures": health.failures,
                "live_tasks": live.get(name, 0),
                "slots_in_use": slots.get(name, 0),
                "recent_errors": [{"at": at, "error": error} for at, error in health.recent_errors],
            }
        )
    return {"data": channels}
