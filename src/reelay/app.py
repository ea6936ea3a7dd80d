"""The FastAPI app: the dialects' routes, files, admin, hooks and health over the wiring."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from reelay import admin, dialects, files, health, hooks
from reelay.domain.errors import ReelayError
from reelay.settings import Settings
from reelay.wiring import Reelay, build, running

__all__ = ["Reelay", "build", "create_app", "render_error"]

log = logging.getLogger("reelay")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with running(settings) as reelay:
            app.state.reelay = reelay
            if not await reelay.keys.has_admin():
                _, reelay.admin_key = await reelay.keys.create("admin", is_admin=True)
            if reelay.admin_key:
                # Printed once, on the first start; it is stored only as a hash.
                print(f"Admin key (shown once, keep it): {reelay.admin_key}", flush=True)
            yield

    app = FastAPI(title="Reelay", lifespan=lifespan, docs_url=None, redoc_url=None)
    for dialect in dialects.DIALECTS.values():
        dialect.install(app)
    app.include_router(files.router)
    app.include_router(admin.router)
    app.include_router(hooks.router)

    @app.exception_handler(ReelayError)
    async def reelay_error(request: Request, error: ReelayError):
        return render_error(request, error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return render_error(request, ReelayError("Internal error; the request was not completed."))

    app.include_router(health.router)

    return app


def render_error(request: Request, error: ReelayError) -> JSONResponse:
    """The error in the shape of the dialect whose route answers."""
    return dialects.dialect_of(request, dialects.DEFAULT).error_response(error)
