"""Admin routes: only the admin key may call them."""

from __future__ import annotations

from fastapi import APIRouter, Request

from reelay.dialects.common import caller, services
from reelay.domain.errors import Forbidden

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
