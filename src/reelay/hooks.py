"""Where pro-format upstreams call back: each relay task gets its own signed URL."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import delete

from reelay.store.db import write_transaction
from reelay.store.tables import relay_callbacks

router = APIRouter()


@router.post("/hooks/relay/{task_id}")
async def relay_callback(task_id: str, request: Request):
    reelay = request.app.state.reelay
    if not reelay.signer.verify_token(task_id, request.query_params.get("token")):
        return JSONResponse({"error": "This callback URL is not valid."}, status_code=403)
    try:
        body = await request.json()
    except ValueError:
        body = {}
    data = body.get("data") if isinstance(body.get("data"), dict) else body
    upstream_id = data.get("task_id") if isinstance(data, dict) else None
    status = data.get("status") if isinstance(data, dict) else None
    async with write_transaction(reelay.db) as conn:
        # Kept in the database: it settles an unconfirmed submission in whichever process reads it.
        await conn.execute(delete(relay_callbacks).where(relay_callbacks.c.task_id == task_id))
        await conn.execute(
            relay_callbacks.insert().values(
                task_id=task_id, upstream_id=str(upstream_id) if upstream_id else None, status=str(status), received_at=time.time()
            )
        )
    if reelay.worker is not None:
        reelay.worker.poke(task_id)  # read the upstream task now instead of at the next poll
    return {"ok": True}
