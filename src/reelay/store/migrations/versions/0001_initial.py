"""Initial schema: keys, tasks, idempotency keys, server meta.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float, nullable=True),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("api_key_id", sa.String(36), sa.ForeignKey("api_keys.id"), nullable=False),
        sa.Column("model", sa.String(50), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float, nullable=False, server_default="0"),
        sa.Column("seed", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("failure", sa.Text, nullable=True),
        sa.Column("failure_code", sa.String(100), nullable=True),
        sa.Column("outputs", sa.JSON, nullable=False),
        sa.Column("raw_video_url", sa.Text, nullable=True),
        sa.Column("points", sa.Integer, nullable=False, server_default="0"),
        sa.Column("refunded", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("engine", sa.String(50), nullable=False),
        sa.Column("engine_state", sa.JSON, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("next_check_at", sa.Float, nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", sa.Float, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_tasks_api_key_created", "tasks", ["api_key_id", "created_at"])
    op.create_index("ix_tasks_due", "tasks", ["next_check_at"])
    op.create_index("ix_tasks_lease_owner", "tasks", ["lease_owner"])
    op.create_table(
        "idempotency_keys",
        sa.Column("api_key_id", sa.String(36), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "server_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("server_meta", "idempotency_keys", "tasks", "api_keys"):
        op.drop_table(table)
