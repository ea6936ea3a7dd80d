"""Usage: tasks and points per day by model and by key, as charts with their tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from reelay.dialects.common import services
from reelay.domain.errors import InputError

from . import session
from .access import key_names, visible_keys
from .charts import stacked
from .render import ConsoleRoute, page

router = APIRouter(prefix="/console", route_class=ConsoleRoute)
DEFAULT_DAYS = 14
MAX_DAYS = 366


def _day(request: Request, name: str, default: date) -> date:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(name, f"must be a date like 2026-12-06, not {raw[:40]!r}") from None


def read_range(request: Request) -> tuple[date, date]:
    """From and to, both included (the store's end is exclusive: to + 1 day)."""
    today = datetime.now(UTC).date()
    end = _day(request, "to", today)
    start = _day(request, "from", end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise InputError("from", "must not be after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise InputError("from", f"the range may be at most {MAX_DAYS} days")
    return start, end


@router.get("/usage")
async def usage_page(request: Request) -> Response:
    key = await session.signed_in(request)
    reelay = services(request)
    today = datetime.now(UTC).date()
    error = None
    try:
        start, end = read_range(request)
    except InputError as refused:
        error = refused.message
        end = today
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    # A client key sees its own usage only; the admin key everyone's.
    rows = await reelay.usage.by_day(
        start=start, end=end + timedelta(days=1), api_key_id=None if key.is_admin else key.id
    )
    names = key_names(await visible_keys(request, key))
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]

    def series(by: str, value: str) -> dict[str, dict[date, int]]:
        found: dict[str, dict[date, int]] = {}
        for row in rows:
            name = row.model if by == "model" else names.get(row.api_key_id, row.api_key_id[:8])
            per_day = found.setdefault(name, {})
            per_day[row.day] = per_day.get(row.day, 0) + getattr(row, value)
        return found

    charts = [
        stacked("tasks-by-model", "Tasks per day by model", "tasks", days, series("model", "tasks")),
        stacked("points-by-model", "Points per day by model", "points", days, series("model", "points")),
    ]
    if key.is_admin:
        charts += [
            stacked("tasks-by-key", "Tasks per day by key", "tasks", days, series("key", "tasks")),
            stacked("points-by-key", "Points per day by key", "points", days, series("key", "points")),
        ]
    return page(
        request,
        "usage.html",
        status_code=400 if error else 200,
        error=error,
        start=start,
        end=end,
        charts=charts,
        rows=sorted(rows, key=lambda r: (r.day, r.model, r.api_key_id)),
        key_names=names,
    )
