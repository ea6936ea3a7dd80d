"""Rendering the console's pages: the Jinja2 environment, the shared context, and HTML error pages.

Every console route is a `ConsoleRoute`: what it raises (a missing task, a bad filter, a refused
CSRF token, an unknown key) becomes an HTML page, not a dialect's JSON.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException

from reelay.domain.errors import InputError, ReelayError

from . import session

log = logging.getLogger("reelay")
HERE = Path(__file__).parent

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html", "svg"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _utc(epoch: float | datetime) -> datetime:
    """A moment (a Unix time or a datetime) in UTC."""
    moment = epoch if isinstance(epoch, datetime) else datetime.fromtimestamp(epoch, UTC)
    return moment.astimezone(UTC)


def when(epoch: float | datetime | None) -> str:
    """A moment as UTC text, to the second."""
    return "—" if epoch is None else _utc(epoch).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso(epoch: float | datetime | None) -> str:
    return "" if epoch is None else _utc(epoch).isoformat(timespec="seconds")


def elapsed(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def show(value: Any) -> str:
    """A timeline detail as text: JSON for structures, cut at 2000 characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 2000 else text[:2000] + "…"


env.filters["show"] = show
env.filters["when"] = when
env.filters["iso"] = iso
env.filters["elapsed"] = elapsed


class NotFoundPage(Exception):
    """Answered as a 404 page; the console's way of saying "not yours" too, so nothing leaks."""

    def __init__(self, what: str = "This page does not exist, or it is not yours to see.") -> None:
        super().__init__(what)
        self.what = what


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A full page (or, with ?fragment=NAME, the template's block NAME alone, for live updates)."""
    found = getattr(request.state, "console_session", None)
    key = found[1] if found else None
    values = {
        "request": request,
        "key": key,
        "csrf": getattr(request.state, "console_csrf", ""),
        "path": request.url.path,
        **context,
    }
    compiled = env.get_template(template)
    fragment = request.query_params.get("fragment")
    if fragment and fragment in compiled.blocks:
        body = "".join(compiled.blocks[fragment](compiled.new_context(values)))
    else:
        body = compiled.render(values)
    headers = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
    headers["Content-Security-Policy"] = CSP
    if "live" in context:
        # For console.js: whether this region will change again (a live task), or may stop polling.
        headers["X-Console-Live"] = "1" if context["live"] else "0"
    return HTMLResponse(body, status_code=status_code, headers=headers)


# Everything the console loads is its own: no inline script, no other origin. Media may come
# from the object store (S3 presigned URLs), so media-src and img-src allow any https or http.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: http: https:; "
    "media-src 'self' blob: http: https:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    return page(request, "error.html", status_code=status_code, title=title, message=message)


async def render_failure(request: Request, error: Exception) -> Response:
    if isinstance(error, session.SignInRequired):
        return RedirectResponse(error.headers["Location"], status_code=303)
    if isinstance(error, session.CsrfRefused):
        return error_page(
            request,
            403,
            "Form expired",
            "This form's security token is missing or stale. Reload the page and try again.",
        )
    if isinstance(error, NotFoundPage):
        return error_page(request, 404, "Not found", error.what)
    if isinstance(error, InputError):
        return error_page(request, 400, "Check the form", error.message)
    if isinstance(error, ReelayError):
        return error_page(request, error.status_code, "Refused", error.message)
    if isinstance(error, HTTPException):
        return error_page(request, error.status_code, "Refused", str(error.detail))
    log.exception("console: unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_page(request, 500, "Something went wrong", "The console hit an internal error; the log has details.")


class ConsoleRoute(APIRoute):
    """A route whose failures are HTML pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as error:  # every failure is a page; the unexpected ones are logged
                return await render_failure(request, error)

        return answer
