"""The console's sign-in: a signed session cookie naming a key, and the CSRF token derived from it.

The cookie holds the key's id, an expiry and a random nonce, signed with HMAC-SHA256 under a
server secret kept in the database (every process shares it). It never holds the API key itself.
Each request loads the key again, so a revoked key's session ends at its next request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from reelay.dialects.common import services
from reelay.store.keys import ApiKey
from reelay.store.meta import get_or_create_secret

COOKIE = "reelay_console"
# Before sign-in: the nonce the sign-in form's CSRF token is derived from.
LOGIN_COOKIE = "reelay_console_login"
PATH = "/console"
LIFETIME_SECONDS = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SECRET_NAME = "console_session_secret"


class SignInRequired(HTTPException):
    """Not signed in (or the session ended): a 303 to the sign-in page. An HTTPException, so that
    any route raising it redirects, whichever error handling is in force."""

    headers: dict[str, str]

    def __init__(self, request: Request) -> None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        super().__init__(303, "Sign in to use the console.", headers={"Location": login_url(here)})


class CsrfRefused(Exception):
    """A POST without the session's CSRF token: answered 403."""


@dataclass(frozen=True)
class Session:
    key_id: str
    expires_at: float
    nonce: str


def login_url(next_path: str | None = None) -> str:
    if next_path and _safe_next(next_path):
        return f"{PATH}/login?next={quote(next_path, safe='/')}"
    return f"{PATH}/login"


def _safe_next(path: str) -> bool:
    """Only a path of the console itself: never another site (`//evil`, `https://…`)."""
    return (path == PATH or path.startswith(PATH + "/")) and "\\" not in path


def safe_next(path: str | None) -> str:
    return path if path and _safe_next(path) else f"{PATH}/tasks"


async def _secret(request: Request) -> bytes:
    state = request.app.state
    cached = getattr(state, "console_secret", None)
    if cached is None:
        cached = (await get_or_create_secret(services(request).db, SECRET_NAME)).encode()
        state.console_secret = cached
    return cached


def _sign(secret: bytes, purpose: str, text: str) -> str:
    return hmac.new(secret, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _unb64(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def encode(secret: bytes, session: Session) -> str:
    body = _b64({"k": session.key_id, "exp": int(session.expires_at), "n": session.nonce})
    return f"{body}.{_sign(secret, 'session', body)}"


def decode(secret: bytes, cookie: str | None, *, now: float | None = None) -> Session | None:
    """The session in a cookie, if its signature holds and it has not expired."""
    if not cookie or cookie.count(".") != 1 or len(cookie) > 1000:
        return None
    body, signature = cookie.split(".")
    if not hmac.compare_digest(signature, _sign(secret, "session", body)):
        return None
    data = _unb64(body)
    if data is None:
        return None
    key_id, expires_at, nonce = data.get("k"), data.get("exp"), data.get("n")
    if not isinstance(key_id, str) or not isinstance(expires_at, int) or not isinstance(nonce, str):
        return None
    if expires_at <= (time.time() if now is None else now):
        return None
    return Session(key_id, expires_at, nonce)


def _secure(request: Request) -> bool:
    """Secure cookies when the console is reached over HTTPS (directly or as the public URL says)."""
    public = services(request).settings.public_url
    return request.url.scheme == "https" or public.startswith("https://")


async def start(request: Request, response: Response, key: ApiKey) -> None:
    """Sign `key` in: the session cookie on `response`, the sign-in form's nonce dropped."""
    session = Session(key.id, time.time() + LIFETIME_SECONDS, secrets.token_urlsafe(16))
    response.set_cookie(
        COOKIE,
        encode(await _secret(request), session),
        max_age=LIFETIME_SECONDS,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path=PATH)


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")


async def current(request: Request) -> tuple[Session, ApiKey] | None:
    """The session and its key, loaded afresh (a revoked or deleted key has no session)."""
    cached = getattr(request.state, "console_session", None)
    if cached is not None:
        return cached
    secret = await _secret(request)
    session = decode(secret, request.cookies.get(COOKIE))
    if session is None:
        return None
    key = await services(request).keys.find(session.key_id)
    if key is None or key.revoked_at is not None or key.id != session.key_id:
        return None
    request.state.console_session = (session, key)
    request.state.console_csrf = _sign(secret, "csrf", session.nonce)
    return session, key


async def signed_in(request: Request) -> ApiKey:
    """The signed-in key; raises a redirect to the sign-in page when there is none."""
    found = await current(request)
    if found is None:
        raise SignInRequired(request)
    return found[1]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, for a form's hidden `csrf_token` field (after `signed_in`)."""
    token = getattr(request.state, "console_csrf", None)
    if token is None:
        raise RuntimeError("csrf_token() needs a signed-in request (call signed_in first)")
    return token


async def check_csrf(request: Request, form: Any = None) -> None:
    """Refuse (403) a POST whose `csrf_token` field (or X-CSRF-Token header) is not the session's."""
    found = await current(request)
    sent = None
    if form is not None:
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    sent = sent or request.headers.get(CSRF_HEADER)
    if found is None:
        raise SignInRequired(request)
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise CsrfRefused()


async def checked_form(request: Request) -> FormData:
    """A signed-in POST's form, once its CSRF token is the session's (see `check_csrf`)."""
    form = await request.form()
    await check_csrf(request, form)
    return form


# The sign-in form, before any session: a random nonce in its own cookie, and the form's token
# derived from it (a form posted from another site has neither).


async def login_token(request: Request) -> tuple[str, str | None]:
    """The sign-in form's token, and the new nonce to set with `set_login_nonce` (None: kept)."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    fresh = None
    if not nonce or len(nonce) > 100:
        nonce = fresh = secrets.token_urlsafe(16)
    return _sign(await _secret(request), "login", nonce), fresh


def set_login_nonce(request: Request, response: Response, nonce: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, nonce, max_age=3600, path=PATH, httponly=True, samesite="strict", secure=_secure(request)
    )


async def check_login_token(request: Request, sent: object) -> None:
    nonce = request.cookies.get(LOGIN_COOKIE)
    if (
        not nonce
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, _sign(await _secret(request), "login", nonce))
    ):
        raise CsrfRefused()
