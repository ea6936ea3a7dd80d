"""Callback outbox and attempts; signing secrets per key.

Revision ID: 0002
Revises: 0001
"""

import base64
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("signing_secret", sa.String(80), nullable=True))
        batch.add_column(sa.Column("previous_signing_secret", sa.String(80), nullable=True))
        batch.add_column(sa.Column("previous_secret_expires_at", sa.Float, nullable=True))
    keys = sa.table("api_keys", sa.column("id", sa.String), sa.column("signing_secret", sa.String))
    connection = op.get_bind()
    for (key_id,) in connection.execute(sa.select(keys.c.id)).all():
        connection.execute(keys.update().where(keys.c.id == key_id).values(signing_secret=new_secret()))

    op.create_table(
        "callback_deliveries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("api_key_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event_status", sa.String(16), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("next_attempt_at", sa.Float, nullable=True),
        sa.Column("delivered_at", sa.Float, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", sa.Float, nullable=True),
    )
    op.create_index("ix_callback_deliveries_task", "callback_deliveries", ["task_id", "seq"], unique=True)
    op.create_index("ix_callback_deliveries_due", "callback_deliveries", ["state", "next_attempt_at"])
    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.String(36), nullable=False),
        sa.Column("attempted_at", sa.Float, nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.Column("http_status", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("next_attempt_at", sa.Float, nullable=True),
    )
    op.create_index("ix_callback_attempts_delivery_id", "callback_attempts", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("callback_attempts")
    op.drop_table("callback_deliveries")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("previous_secret_expires_at")
        batch.drop_column("previous_signing_secret")
        batch.drop_column("signing_secret")


def new_secret() -> str:
    # As reelay.domain.secrets makes them; copied, so this migration never changes with live code.
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
