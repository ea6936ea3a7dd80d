"""Channel concurrency slots and relay callbacks.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_slots",
        sa.Column("channel", sa.String(100), primary_key=True),
        sa.Column("slot", sa.Integer, primary_key=True),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("acquired_at", sa.Float, nullable=False),
    )
    op.create_index("ix_channel_slots_task", "channel_slots", ["task_id", "channel"], unique=True)
    op.create_table(
        "relay_callbacks",
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("upstream_id", sa.String(100), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("received_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("relay_callbacks")
    op.drop_table("channel_slots")
