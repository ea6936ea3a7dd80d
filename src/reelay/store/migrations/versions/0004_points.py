"""Points: balances, limits and the ledger.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("balance", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("max_concurrent", sa.Integer, nullable=True))
        batch.add_column(sa.Column("rate_limit_per_second", sa.Float, nullable=True))
        batch.add_column(sa.Column("daily_limit", sa.Integer, nullable=True))
        batch.add_column(sa.Column("monthly_spend_limit", sa.Integer, nullable=True))
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("api_key_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("model", sa.String(50), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_ledger_entries_api_key_id", "ledger_entries", ["api_key_id"])


def downgrade() -> None:
    op.drop_table("ledger_entries")
    with op.batch_alter_table("api_keys") as batch:
        for column in ("monthly_spend_limit", "daily_limit", "rate_limit_per_second", "max_concurrent", "balance"):
            batch.drop_column(column)
