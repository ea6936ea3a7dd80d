"""An index for a channel's waiting line: live tasks by channel, status and age.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tasks_line", "tasks", ["engine", "status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_tasks_line", table_name="tasks")
