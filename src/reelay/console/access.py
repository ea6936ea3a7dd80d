"""Who may see what in the console: the admin key everything, a client key only its own tasks."""

from __future__ import annotations

from fastapi import Request

from reelay.dialects.common import services
from reelay.domain.task import Task
from reelay.store.db import storable
from reelay.store.keys import ApiKey

from . import session
from .render import NotFoundPage


def require_admin(key: ApiKey) -> None:
    """Keys and channels are the admin's: to a client key these pages do not exist."""
    if not key.is_admin:
        raise NotFoundPage()


async def signed_in_admin(request: Request) -> ApiKey:
    """The signed-in key, when it is the admin key (see `require_admin`)."""
    key = await session.signed_in(request)
    require_admin(key)
    return key


async def visible_keys(request: Request, key: ApiKey) -> list[ApiKey]:
    """The keys whose tasks and usage `key` may see: every key for the admin, else its own."""
    return await services(request).keys.list() if key.is_admin else [key]


def key_names(keys: list[ApiKey]) -> dict[str, str]:
    """Each key's id to what the console calls it: its name, or its prefix when it has none."""
    return {k.id: k.name or k.prefix for k in keys}


def looks_like_id(text: str) -> bool:
    return 0 < len(text) <= 64 and storable(text)


async def visible_task(request: Request, key: ApiKey, task_id: str) -> Task:
    """The task if `key` may see it; another key's task is as missing as one that never was.
    Deleted tasks are shown too (marked): their history is what an operator looks for."""
    task = None
    if looks_like_id(task_id):
        owner = None if key.is_admin else key.id
        task = await services(request).tasks.get(task_id, api_key_id=owner, deleted=True)
    if task is None:
        raise NotFoundPage("No such task, or it is not one of this key's tasks.")
    return task
