"""Placement's own record of a task gets its own column, `schedule_state`, apart from the
engine's state: the keys placement kept inside `engine_state` (started, tried, rounds,
last_error, and the message of an unanswered create, "error") move out of existing rows.

Revision ID: 0008
Revises: 0007
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCHEDULE_KEYS = ("started", "tried", "rounds", "last_error")
BATCH = 500

tasks = sa.table(
    "tasks",
    sa.column("id", sa.String),
    sa.column("engine_state", sa.JSON),
    sa.column("schedule_state", sa.JSON),
)


def upgrade() -> None:
    op.add_column("tasks", sa.Column("schedule_state", sa.JSON, nullable=False, server_default=sa.text("'{}'")))
    _rewrite(_split)


def downgrade() -> None:
    _rewrite(_merge)
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("schedule_state")


def _split(engine: dict[str, Any], schedule: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Placement's keys out of the engine's state. None: nothing to move."""
    if not any(key in engine for key in (*SCHEDULE_KEYS, "error")):
        return None
    moved = {key: engine[key] for key in SCHEDULE_KEYS if key in engine}
    if "error" in engine and "last_error" not in moved:
        moved["last_error"] = engine["error"]
    kept = {key: value for key, value in engine.items() if key not in (*SCHEDULE_KEYS, "error")}
    return kept, {**schedule, **moved}


def _merge(engine: dict[str, Any], schedule: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Back into the engine's state, as the code before this revision kept it."""
    moved = {key: schedule[key] for key in SCHEDULE_KEYS if key in schedule}
    if not moved:
        return None
    return {**engine, **moved}, {}


def _rewrite(change) -> None:
    """Every task row through `change`, in batches by id, so a large table is never all in memory."""
    connection = op.get_bind()
    after = ""
    while True:
        rows = connection.execute(
            sa.select(tasks.c.id, tasks.c.engine_state, tasks.c.schedule_state)
            .where(tasks.c.id > after)
            .order_by(tasks.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        after = rows[-1].id
        updates = []
        for row in rows:
            engine = row.engine_state if isinstance(row.engine_state, dict) else {}
            schedule = row.schedule_state if isinstance(row.schedule_state, dict) else {}
            changed = change(engine, schedule)
            if changed is not None:
                updates.append({"row_id": row.id, "new_engine": changed[0], "new_schedule": changed[1]})
        if updates:
            connection.execute(
                sa.update(tasks)
                .where(tasks.c.id == sa.bindparam("row_id"))
                .values(
                    engine_state=sa.bindparam("new_engine", type_=sa.JSON),
                    schedule_state=sa.bindparam("new_schedule", type_=sa.JSON),
                ),
                updates,
            )
