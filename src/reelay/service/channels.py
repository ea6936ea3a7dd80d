"""What an operator sees of each channel: health, tasks in flight against its cap, recent errors."""

from __future__ import annotations

from typing import Any

from reelay.engines.registry import ChannelRegistry
from reelay.store.slots import SlotStore
from reelay.store.tasks import TaskStore


async def channel_report(engines: ChannelRegistry, tasks: TaskStore, slots: SlotStore) -> list[dict[str, Any]]:
    """One row per channel. Health and errors are as this process saw them (each process keeps
    its own); live tasks and slots in use are the database's."""
    live = await tasks.live_by_channel()
    in_use = await slots.in_use()
    rows = []
    for name, config in engines.channels.items():
        health = engines.health[name]
        rows.append(
            {
                "name": name,
                "engine": config.engine,
                "base_url": config.base_url,
                "models": list(config.models),
                "priority": config.priority,
                "weight": config.weight,
                "capacity": config.capacity,
                "keys": len(config.keys),
                "healthy": health.healthy,
                "failures": health.failures,
                "live_tasks": live.get(name, 0),
                "slots_in_use": in_use.get(name, 0),
                "recent_errors": [{"at": at, "error": error} for at, error in health.recent_errors],  # oldest first
            }
        )
    return rows
