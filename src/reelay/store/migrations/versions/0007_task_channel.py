"""Plain names: a task's `engine` column is the channel that runs it, and is called so.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_tasks_line", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("engine", new_column_name="channel")
    op.create_index("ix_tasks_line", "tasks", ["channel", "status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_tasks_line", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("channel", new_column_name="engine")
    op.create_index("ix_tasks_line", "tasks", ["engine", "status", "created_at"])
