"""Keys (the admin's): balances and limits, create, revoke, rotate the callback secret, top up, ledger.

The same stores and the same validation as the admin API (`reelay.admin`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reelay.admin import NewKey, TopUp
from reelay.dialects.common import input_error, services
from reelay.domain.errors import InputError, InsufficientPoints
from reelay.store.keys import ApiKey, KeyLimits

from . import session
from .access import looks_like_id, signed_in_admin
from .render import ConsoleRoute, NotFoundPage, page

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
LEDGER_ROWS = 200


async def _form(request: Request) -> dict[str, Any]:
    form = await session.checked_form(request)
    # Empty inputs are absent values (no limit, no note); the token is the session's, not a value.
    return {
        name: value.strip()
        for name, value in form.items()
        if name != session.CSRF_FIELD and isinstance(value, str) and value.strip()
    }


def _validated(shape, values: dict[str, Any]):
    try:
        return shape.model_validate(values)
    except ValidationError as error:
        raise input_error(error) from None


async def _listing(request: Request, status_code: int = 200, **context: Any) -> Response:
    reelay = services(request)
    keys = await reelay.keys.list()
    balances = await reelay.ledger.balances()
    return page(request, "keys.html", status_code=status_code, keys=keys, balances=balances, **context)


@router.get("/keys")
async def keys_page(request: Request) -> Response:
    await signed_in_admin(request)
    return await _listing(request, notice=NOTICES.get(request.query_params.get("done") or ""))


NOTICES = {"revoked": "The key is revoked: its requests and console sessions are refused from now on."}


@router.post("/keys")
async def create_key(request: Request) -> Response:
    await signed_in_admin(request)
    values = await _form(request)
    try:
        body = _validated(NewKey, values)
    except InputError as error:
        return await _listing(request, 400, error=error.message, form=values)
    limits = KeyLimits(body.max_concurrent, body.rate_limit_per_second, body.daily_limit, body.monthly_spend_limit)
    key, plain = await services(request).keys.create(body.name, points=body.points, limits=limits)
    # Shown once, on this answer only (never stored in plain, never cached).
    return page(request, "key_created.html", created=key, plain=plain, points=body.points)


async def _key(request: Request, key_id: str) -> ApiKey:
    found = await services(request).keys.find(key_id) if looks_like_id(key_id) else None
    if found is None:
        raise NotFoundPage("No such key.")
    return found


@router.get("/keys/{key_id}")
async def key_page(key_id: str, request: Request) -> Response:
    await signed_in_admin(request)
    return await _key_page(request, await _key(request, key_id))


async def _key_page(request: Request, shown: ApiKey, status_code: int = 200, **context: Any) -> Response:
    reelay = services(request)
    return page(
        request,
        "key.html",
        status_code=status_code,
        shown=shown,
        balance=await reelay.ledger.balance(shown.id),
        entries=await reelay.ledger.entries(shown.id, limit=LEDGER_ROWS),
        notice=KEY_NOTICES.get(request.query_params.get("done") or ""),
        **context,
    )


KEY_NOTICES = {"topped-up": "The balance changed; the ledger below shows the entry."}


@router.post("/keys/{key_id}/topup")
async def top_up(key_id: str, request: Request) -> Response:
    await signed_in_admin(request)
    values = await _form(request)
    shown = await _key(request, key_id)
    try:
        body = _validated(TopUp, values)
        if body.kind == "topup" and body.points <= 0:
            raise InputError("points", "a top-up must be positive; use an adjustment to take points away")
        await services(request).ledger.credit(shown.id, body.points, kind=body.kind, note=body.note)
    except (InputError, InsufficientPoints) as error:
        return await _key_page(request, shown, 400, error=error.message)
    return RedirectResponse(f"/console/keys/{shown.id}?done=topped-up", 303)


@router.post("/keys/{key_id}/revoke")
async def revoke(key_id: str, request: Request) -> Response:
    me = await signed_in_admin(request)
    await _form(request)
    shown = await _key(request, key_id)
    if shown.id == me.id:
        return await _key_page(request, shown, 400, error="key: this is the key you are signed in with; it stays.")
    await services(request).keys.revoke(shown.id)
    return RedirectResponse("/console/keys?done=revoked", 303)


@router.post("/keys/{key_id}/rotate")
async def rotate(key_id: str, request: Request) -> Response:
    await signed_in_admin(request)
    await _form(request)
    shown = await _key(request, key_id)
    reelay = services(request)
    hours = reelay.settings.secret_overlap_hours
    secret = await reelay.keys.rotate_secret(shown.id, hours * 3600)
    return page(request, "key_rotated.html", shown=shown, secret=secret, overlap_hours=hours)
