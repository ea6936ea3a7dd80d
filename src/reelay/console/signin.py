"""Signing in with an API key, signing out, and the console's static files."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from reelay.dialects.common import services

from . import session
from .render import HERE, ConsoleRoute, NotFoundPage, page

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
STATIC = HERE / "static"
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


@router.get("")
@router.get("/")
async def home(request: Request) -> Response:
    found = await session.current(request)
    return RedirectResponse("/console/tasks" if found else "/console/login", 303)


async def _login_page(request: Request, status_code: int = 200, error: str | None = None) -> Response:
    token, fresh = await session.login_token(request)
    next_path = session.safe_next(request.query_params.get("next"))
    answer = page(request, "login.html", status_code=status_code, login_token=token, next=next_path, error=error)
    if fresh:
        session.set_login_nonce(request, answer, fresh)
    return answer


@router.get("/login")
async def login_form(request: Request) -> Response:
    if await session.current(request):
        return RedirectResponse(session.safe_next(request.query_params.get("next")), 303)
    return await _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    await session.check_login_token(request, form.get(session.CSRF_FIELD))
    plain = form.get("api_key")
    key = None
    if isinstance(plain, str) and 0 < len(plain.strip()) <= 200:
        key = await services(request).keys.authenticate(plain.strip())
    if key is None:
        # One answer for a wrong, unknown or revoked key.
        return await _login_page(request, 401, "api_key: this API key is not valid or has been revoked.")
    next_path = form.get("next")
    answer = RedirectResponse(session.safe_next(next_path if isinstance(next_path, str) else None), 303)
    await session.start(request, answer, key)
    return answer


@router.post("/logout")
async def logout(request: Request) -> Response:
    await session.checked_form(request)
    answer = RedirectResponse("/console/login", 303)
    session.end(answer)
    return answer


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """The console's own CSS and JS (no CDN, nothing from another origin); only files of the folder."""
    path = STATIC / name
    if "/" in name or name.startswith(".") or path.suffix not in TYPES or not path.is_file():
        raise NotFoundPage("No such file.")
    return FileResponse(path, media_type=TYPES[path.suffix], headers={"Cache-Control": "no-cache"})
