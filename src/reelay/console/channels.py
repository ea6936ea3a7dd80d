"""Channels (the admin's): health, tasks in flight against capacity, recent errors, and a test run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from reelay.dialects.common import services
from reelay.service.channel_test import test_channel
from reelay.service.channels import channel_report
from reelay.store.slots import SlotStore

from . import session
from .access import signed_in_admin
from .render import ConsoleRoute, NotFoundPage, page

router = APIRouter(prefix="/console", route_class=ConsoleRoute)


async def channel_rows(request: Request) -> list[dict[str, Any]]:
    """What the admin API's /admin/channels reports, newest error first."""
    reelay = services(request)
    rows = await channel_report(reelay.engines, reelay.tasks, SlotStore(reelay.db))
    for row in rows:
        row["recent_errors"].reverse()
    return rows


@router.get("/channels")
async def channels_page(request: Request) -> Response:
    await signed_in_admin(request)
    return page(request, "channels.html", channels=await channel_rows(request))


@router.post("/channels/{name}/test")
async def test(name: str, request: Request) -> Response:
    """A real small task through exactly this channel; its page shows how it went."""
    key = await signed_in_admin(request)
    await session.checked_form(request)
    reelay = services(request)
    if name not in reelay.engines.channels:
        raise NotFoundPage("No such channel.")
    task = await test_channel(reelay, key, name)
    return RedirectResponse(f"/console/tasks/{task.id}", 303)
