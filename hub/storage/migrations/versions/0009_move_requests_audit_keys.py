"""move requests; the audit chain keyed: a MAC per entry and on the head

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "move_request",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("person_grid", sa.String(length=17), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entry", JSON, nullable=False),
        sa.Column("house_id", sa.String(length=32), nullable=True),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("requester_role", sa.String(length=32), nullable=False),
        sa.Column("requester_grid", sa.String(length=17), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_role", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("record_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_move_request")),
    )
    op.create_index("ix_move_request_status_grid", "move_request", ["status", "person_grid"])
    # Plain ADD COLUMN (no table rebuild on SQLite): the audit tables' triggers stay.
    op.add_column("audit_entry", sa.Column("entry_mac", sa.String(length=64), nullable=True))
    op.add_column("audit_head", sa.Column("head_mac", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("audit_head", "head_mac")
    op.drop_column("audit_entry", "entry_mac")
    op.drop_index("ix_move_request_status_grid", table_name="move_request")
    op.drop_table("move_request")
