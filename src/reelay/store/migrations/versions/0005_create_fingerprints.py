"""Fingerprints of recent creates, for SDK retries without an idempotency key.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "create_fingerprints",
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("api_key_id", sa.String(36), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_create_fingerprints_lookup", "create_fingerprints", ["api_key_id", "fingerprint", "created_at"])
    op.create_index("ix_create_fingerprints_created", "create_fingerprints", ["created_at"])


def downgrade() -> None:
    op.drop_table("create_fingerprints")
