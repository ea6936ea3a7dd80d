"""The FastAPI app: the dialects' routes, files, admin, hooks and health over the wiring."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from reelay import admin, console, files, health, hooks, upload_form
from reelay.dialects import openapi
from reelay.dialects import registry as dialects
from reelay.domain.errors import InsufficientPoints, ReelayError
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
    # Reelay's own routes answer errors as {"error": "<sentence>"}, in no dialect's shape.
    own = [Depends(_own_route)]
    app.include_router(files.router, dependencies=own)
    app.include_router(admin.router, dependencies=own)
    app.include_router(hooks.router, dependencies=own)
    app.include_router(upload_form.router, dependencies=own)
    app.include_router(console.router, include_in_schema=False)  # HTML pages with their own error pages

    @app.exception_handler(ReelayError)
    async def reelay_error(request: Request, error: ReelayError):
        return render_error(request, error)

    @app.exception_handler(HTTPException)
    async def no_route(request: Request, error: HTTPException):
        # An unknown path or a wrong method: never FastAPI's {"detail": ...}.
        return render_error(request, RouteError(request, error))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return render_error(request, ReelayError("Internal error; the request was not completed."))

    app.include_router(health.router, dependencies=own)
    # The dialects' request bodies among /openapi.json's schemas.
    openapi.install(app, lambda path: any(d.owns(path) for d in dialects.DIALECTS.values()))
    return app


class RouteError(ReelayError):
    """What the router answered by itself: no such path (404), or not this method (405)."""

    def __init__(self, request: Request, error: HTTPException) -> None:
        method, path = request.method, request.url.path
        self.status_code = error.status_code
        self.headers = dict(error.headers or {})
        if error.status_code == 404:
            self.reason = "not_found"
            message = f"{path} is not a path of this API."
        elif error.status_code == 405:
            self.reason = "method_not_allowed"
            allowed = _allowed_methods(request) or self.headers.get("Allow", "")
            self.headers["Allow"] = allowed
            message = f"{path} does not answer {method}; it answers {allowed or 'other methods'}."
        else:
            self.reason = "http_error"
            message = f"{error.detail}"
        super().__init__(message)


def _allowed_methods(request: Request) -> str:
    """Every method the path answers (Starlette's 405 names only those of the first route found:
    GET for /v1/tasks/{id}, not DELETE), found by asking the routes about each method."""
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


async def _own_route(request: Request) -> None:
    request.state.own_route = True


def render_error(request: Request, error: ReelayError) -> JSONResponse:
    """The error in the shape of the dialect whose route answers, or whose path it is."""
    if getattr(request.state, "own_route", False):
        return own_error_response(error)
    return dialects.dialect_of(request, dialects.DIALECTS.values(), dialects.DEFAULT).error_response(error)


def own_error_response(error: ReelayError) -> JSONResponse:
    """Reelay's own routes (admin, files, hooks): `{"error": "<sentence>"}`, the official dialect's
    shape before it took Runway's, kept for their clients."""
    status, message = error.status_code, error.message
    if isinstance(error, InsufficientPoints):
        status = 400
        message = f"You do not have enough credits to run this task. {message.split(': ', 1)[-1]}"
    return JSONResponse({"error": message}, status_code=status, headers=getattr(error, "headers", None))
