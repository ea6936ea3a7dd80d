"""Admin routes: only the admin key may call them."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reelay.dialects.common import caller, input_error, json_object, query_text, services
from reelay.domain.errors import Forbidden, InputError
from reelay.service import channel_test
from reelay.service.channels import channel_report
from reelay.store.callbacks import DEAD, DELIVERED, PENDING
from reelay.store.keys import KeyLimits
from reelay.store.slots import SlotStore

router = APIRouter(prefix="/admin")
STATES = (PENDING, DELIVERED, DEAD)


async def admin(request: Request):
    key = await caller(request)
    if not key.is_admin:
        raise Forbidden("Authorization: this route needs the admin key.")
    return key


# The columns' sizes (PostgreSQL's INTEGER, the name's VARCHAR): a larger value was a 500 there.
INT_MAX = 2**31 - 1


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="", max_length=200)
    points: int = Field(default=0, ge=0, le=INT_MAX)
    max_concurrent: int | None = Field(default=None, ge=1, le=INT_MAX)
    rate_limit_per_second: float | None = Field(default=None, gt=0)
    daily_limit: int | None = Field(default=None, ge=1, le=INT_MAX)
    monthly_spend_limit: int | None = Field(default=None, ge=0, le=INT_MAX)


class TopUp(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: int = Field(ge=-INT_MAX, le=INT_MAX)
    note: str | None = None
    kind: Literal["topup", "adjustment"] = "topup"


def _key_json(key, balance: int) -> dict:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "is_admin": key.is_admin,
        "revoked": key.revoked_at is not None,
        "balance": balance,
        "limits": asdict(key.limits),
    }


def _limit(request: Request, default: int, maximum: int) -> int:
    """?limit=: from 1 to maximum; a value outside is refused, not clamped, so no caller gets fewer rows unawares."""
    raw = request.query_params.get("limit")
    if raw is None:
        return default
    if not re.fullmatch(r"-?[0-9]+", raw):  # int() would also take "1_000", " 5" and non-ASCII digits
        raise InputError("limit", "must be an integer")
    if len(raw) > 20 or not 1 <= int(raw) <= maximum:
        raise InputError("limit", f"must be from 1 to {maximum}")
    return int(raw)


async def _body(request: Request, shape):
    try:
        return shape.model_validate(await json_object(request))
    except ValidationError as error:
        raise input_error(error) from None


@router.post("/keys")
async def create_key(request: Request):
    """A client key with an opening balance and limits; the key and its signing secret, once."""
    await admin(request)
    body = await _body(request, NewKey)
    limits = KeyLimits(body.max_concurrent, body.rate_limit_per_second, body.daily_limit, body.monthly_spend_limit)
    key, plain = await services(request).keys.create(body.name, points=body.points, limits=limits)
    return {**_key_json(key, body.points), "key": plain, "signing_secret": key.signing_secret}


@router.get("/keys")
async def list_keys(request: Request):
    await admin(request)
    reelay = services(request)
    balances = await reelay.ledger.balances()
    return {"data": [_key_json(k, balances.get(k.id, 0)) for k in await reelay.keys.list()]}


@router.post("/keys/{key_id}/topup")
async def top_up(key_id: str, request: Request):
    await admin(request)
    body = await _body(request, TopUp)
    reelay = services(request)
    key = await reelay.keys.find(key_id)
    if key is None:
        raise InputError("key_id", f"no key {key_id!r}")
    if body.kind == "topup" and body.points <= 0:
        raise InputError("points", "a top-up must be positive; use kind adjustment to take points away")
    balance = await reelay.ledger.credit(key.id, body.points, kind=body.kind, note=body.note)
    return {"id": key.id, "balance": balance}


@router.get("/keys/{key_id}/ledger")
async def ledger(key_id: str, request: Request):
    """The key's ledger, newest first: ?limit= from 1 to 100000, 500 by default."""
    await admin(request)  # the key before the parameters: a caller without it learns nothing about them
    limit = _limit(request, 500, 100_000)
    reelay = services(request)
    key = await reelay.keys.find(key_id)
    if key is None:
        raise InputError("key_id", f"no key {key_id!r}")
    entries = await reelay.ledger.entries(key.id, limit=limit)
    return {"id": key.id, "balance": await reelay.ledger.balance(key.id), "data": [asdict(e) for e in entries]}


@router.get("/callbacks")
async def list_callbacks(request: Request):
    """Every delivery, with every attempt: time, HTTP status, error, next try.

    ?task_id=, ?state= (pending, delivered or dead) and ?limit= (from 1 to 1000, 200 by default).
    """
    await admin(request)
    task_id = query_text(request, "task_id")
    state = request.query_params.get("state") or None
    if state is not None and state not in STATES:
        raise InputError("state", f"must be one of {', '.join(STATES)}")
    limit = _limit(request, 200, 1000)
    store = services(request).callbacks
    deliveries = await store.list(task_id=task_id, state=state, limit=limit)
    attempts = await store.attempts([d.id for d in deliveries])
    return {
        "data": [
            {
                "id": d.id,
                "task_id": d.task_id,
                "status": d.event_status.value,
                "url": d.url,
                "state": d.state,
                "attempts": d.attempts,
                "created_at": d.created_at,
                "next_attempt_at": d.next_attempt_at,
                "delivered_at": d.delivered_at,
                "last_error": d.last_error,
                "history": attempts[d.id],
            }
            for d in deliveries
        ]
    }


@router.post("/callbacks/{delivery_id}/resend")
async def resend_callback(delivery_id: str, request: Request):
    await admin(request)
    if not await services(request).callbacks.resend(delivery_id):
        return {"resent": False}
    return {"resent": True}


@router.get("/tasks/{task_id}/timeline")
async def task_timeline(task_id: str, request: Request):
    """Everything that happened to a task, oldest first: status changes, each engine start and
    check (with the upstream exchanges and their latency), result copies, moves, every callback
    attempt, the charge and the refund."""
    await admin(request)
    reelay = services(request)
    task = await reelay.reader.any(task_id)
    return {"id": task.id, "status": task.status.value, "data": [asdict(e) for e in await reelay.timeline.of(task)]}


@router.get("/channels")
async def list_channels(request: Request):
    """Every channel with its health, tasks in flight and recent errors (as this process saw them)."""
    await admin(request)
    reelay = services(request)
    return {"data": await channel_report(reelay.engines, reelay.tasks, SlotStore(reelay.db))}


@router.post("/channels/{name}/test")
async def test_channel(name: str, request: Request):
    """A real small task through exactly this channel, pinned to it: follow it as any task."""
    key = await admin(request)
    task = await channel_test.test_channel(services(request), key, name)
    return {"task_id": task.id, "channel": task.channel, "model": task.request.model}
