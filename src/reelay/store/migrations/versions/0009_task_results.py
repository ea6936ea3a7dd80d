"""A task's results become an ordered list of typed artifacts (`results`), replacing the
`outputs` map {"video": key, "poster": key, "last_frame": key}.

Rows written before keep their keys; their sizes were never measured, so they stay unknown
(null) rather than guessed. Self-contained: no live code is imported.

Revision ID: 0009
Revises: 0007
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# role -> (kind, content type) of the three results the old map could hold, in their order.
OLD_ROLES = {
    "video": ("video", "video/mp4"),
    "poster": ("image", "image/jpeg"),
    "last_frame": ("image", "image/jpeg"),
}
PAGE = 500


def _tasks(column: str) -> sa.TableClause:
    return sa.table("tasks", sa.column("id", sa.String), sa.column(column, sa.JSON))


def to_results(outputs: dict[str, str] | None) -> list[dict[str, Any]]:
    outputs = outputs or {}
    ordered = [role for role in OLD_ROLES if role in outputs] + [role for role in outputs if role not in OLD_ROLES]
    results = []
    for role in ordered:
        kind, content_type = OLD_ROLES.get(role, ("image", "application/octet-stream"))
        results.append(
            {
                "kind": kind,
                "role": role,
                "key": outputs[role],
                "content_type": content_type,
                "width": None,
                "height": None,
                "duration": None,
                "frame_rate": None,
            }
        )
    return results


def to_outputs(results: list[dict[str, Any]] | None) -> dict[str, str]:
    outputs: dict[str, str] = {}
    for artifact in results or []:
        outputs.setdefault(artifact["role"], artifact["key"])
    return outputs


def _convert(source: str, target: str, convert) -> None:
    """Fill `target` from `source` for every row, a page at a time (bounded memory)."""
    connection = op.get_bind()
    read, write = _tasks(source), _tasks(target)
    after = ""
    while True:
        rows = connection.execute(
            sa.select(read.c.id, read.c[source]).where(read.c.id > after).order_by(read.c.id).limit(PAGE)
        ).all()
        if not rows:
            return
        for task_id, value in rows:
            connection.execute(sa.update(write).where(write.c.id == task_id).values({target: convert(value)}))
        after = rows[-1][0]


def upgrade() -> None:
    op.add_column("tasks", sa.Column("results", sa.JSON, nullable=True))
    _convert("outputs", "results", to_results)
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("outputs")
        batch.alter_column("results", existing_type=sa.JSON, nullable=False)


def downgrade() -> None:
    op.add_column("tasks", sa.Column("outputs", sa.JSON, nullable=True))
    _convert("results", "outputs", to_outputs)
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("results")
        batch.alter_column("outputs", existing_type=sa.JSON, nullable=False)
