"""Where pro-format upstreams call back: each relay task gets its own signed URL."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from reelay.dialects.common import json_object
from reelay.domain.errors import InputError

router = APIRouter()


@router.post("/hooks/relay/{task_id}")
async def relay_callback(task_id: str, request: Request):
    reelay = request.app.state.reelay
    token = request.query_params.get("token")
    # compare_digest refuses non-ASCII text with a TypeError; such a token is simply wrong.
    if not token or not token.isascii() or not reelay.signer.verify_token(task_id, token):
        return JSONResponse({"error": "This callback URL is not valid."}, status_code=403)
    try:
        body = await json_object(request)
    except InputError:
        body = {}  # unreadable, it still tells the worker to read the upstream task now
    inner = body.get("data")
    data = inner if isinstance(inner, dict) else body
    upstream_id, status = data.get("task_id"), data.get("status")
    # Kept only as far as the columns hold them (100 and 20 characters); the worker reads the upstream anyway.
    upstream_id = str(upstream_id) if upstream_id and len(str(upstream_id)) <= 100 else None
    status = str(status)[:20]
    await reelay.relay_callbacks.record(task_id, upstream_id, status)
    if reelay.worker is not None:
        reelay.worker.poke(task_id)  # read the upstream task now instead of at the next poll
    return {"ok": True}
