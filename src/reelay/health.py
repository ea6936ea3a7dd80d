"""Liveness, readiness and metrics for load balancers and Prometheus."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from reelay.store.db import current_revision, head_revision, ping
from reelay.store.slots import SlotStore

router = APIRouter()


@router.get("/healthz")
async def healthz():
    """The process is alive and serving; says nothing about its dependencies."""
    return {"status": "ok", "time": time.time()}


@router.get("/readyz")
async def readyz(request: Request):
    """Ready for traffic: the database and the storage answer, and the schema is current."""
    reelay = request.app.state.reelay
    checks: dict[str, str] = {}
    try:
        await ping(reelay.db)
        checks["database"] = "ok"
        revision, head = await current_revision(reelay.db), head_revision()
        checks["migrations"] = "ok" if revision == head else f"at {revision}, expected {head}"
    except Exception as error:
        checks["database"] = f"unreachable: {type(error).__name__}: {error}"
    try:
        await reelay.storage.ping()
        checks["storage"] = "ok"
    except Exception as error:
        checks["storage"] = f"unreachable: {type(error).__name__}: {error}"
    ready = all(value == "ok" for value in checks.values()) and "migrations" in checks
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


@router.get("/metrics")
async def metrics(request: Request):
    reelay = request.app.state.reelay
    audit = await SlotStore(reelay.db).audit(reelay.settings.lease_seconds)
    body = await reelay.metrics.render(reelay.tasks, reelay.callbacks, audit)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
