"""Channels (the admin's): health, tasks in flight against capacity, recent errors, and a test run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from reelay.dialects.common import services
from reelay.service.channel_test import test_channel
from reelay.store.slots import SlotStore

from . import session
from .access import require_admin
from .render import ConsoleRoute, NotFoundPage, page

router = APIRouter(prefix="/console", route_class=ConsoleRoute)


async def channel_rows(request: Request) -> list[dict[str, Any]]:
    """What the admin API's /admin/channels computes, as this process sees it."""
    reelay = services(request)
    registry = reelay.engines
    live = await reelay.tasks.live_by_channel()
    slots = await SlotStore(reelay.db).in_use()
    rows = []
    for name, config in registry.channels.items():
        health = registry.health[name]
        rows.append(
            {
                "name": name,
                "engine": config.engine,
                "base_url": config.base_url,
                "models": list(config.models),
                "priority": config.priority,
                "weight": config.weight,
                "capacity": config.capacity,
                "healthy": health.healthy,
                "failures": health.failures,
                "live_tasks": live.get(name, 0),
                "slots_in_use": slots.get(name, 0),
                "recent_errors": [{"at": at, "error": error} for at, error in reversed(health.recent_errors)],
            }
        )
    return rows


@router.get("/channels")
async def channels_page(request: Request) -> Response:
    key = await session.signed_in(request)
    require_admin(key)
    return page(request, "channels.html", channels=await channel_rows(request))


@router.post("/channels/{name}/test")
async def test(name: str, request: Request) -> Response:
    """A real small task through exactly this channel; its page shows how it went."""
    key = await session.signed_in(request)
    require_admin(key)
    await session.check_csrf(request, await request.form())
    reelay = services(request)
    if name not in reelay.engines.channels:
        raise NotFoundPage("No such channel.")
    task = await test_channel(reelay, key, name)
    return RedirectResponse(f"/console/tasks/{task.id}", 303)
