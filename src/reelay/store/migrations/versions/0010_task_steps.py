"""The task_steps table: what the worker saw of each task, for the console's timeline; and an
index on the ledger's task_id, which the timeline reads a task's charge and refund by; and one on
the tasks' creation time, which the console lists every key's tasks by; and what each callback
attempt sent and got back.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_task_steps_task", "task_steps", ["task_id", "id"])
    op.create_index("ix_ledger_entries_task", "ledger_entries", ["task_id"])
    op.create_index("ix_tasks_created", "tasks", ["created_at", "id"])
    op.add_column("callback_attempts", sa.Column("sent", sa.Text, nullable=True))
    op.add_column("callback_attempts", sa.Column("answer", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callback_attempts") as batch:
        batch.drop_column("answer")
        batch.drop_column("sent")
    op.drop_index("ix_tasks_created", table_name="tasks")
    op.drop_index("ix_ledger_entries_task", table_name="ledger_entries")
    op.drop_index("ix_task_steps_task", table_name="task_steps")
    op.drop_table("task_steps")
