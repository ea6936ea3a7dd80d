"""Serving stored results under signed, expiring URLs, with HTTP Range support."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

from reelay.storage.content_types import content_type_for
from reelay.storage.local import LocalStorage

router = APIRouter()


# One route per method: one route with both gives /openapi.json two operations of one id.
@router.get("/files/{key:path}")
@router.head("/files/{key:path}")
async def serve_file(key: str, request: Request):
    reelay = request.app.state.reelay
    if not isinstance(reelay.storage, LocalStorage):
        return JSONResponse({"error": "Files are served by the object storage, not here."}, status_code=404)
    params = request.query_params
    if not reelay.signer.verify(key, params.get("expires"), params.get("sig")):
        return JSONResponse(
            {"error": "This file URL is invalid or has expired; read the task again for a fresh one."}, status_code=403
        )
    if not await reelay.storage.exists(key):
        return JSONResponse({"error": "This file does not exist."}, status_code=404)
    # Starlette's FileResponse answers Range requests with 206 and Content-Range.
    return FileResponse(reelay.storage.path(key), media_type=content_type_for(key))
