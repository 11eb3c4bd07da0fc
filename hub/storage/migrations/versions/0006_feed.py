"""change feed, steward actions and the report loop: event grids and decisions, report state

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("change_event") as batch:
        batch.add_column(sa.Column("grid_code", sa.String(length=17), nullable=True))
        batch.add_column(sa.Column("grid_before", sa.String(length=17), nullable=True))
        batch.add_column(
            sa.Column(
                "decision_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
            )
        )
        batch.create_foreign_key(
            "fk_change_event_decision_id_steward_decision",
            "steward_decision",
            ["decision_id"],
            ["id"],
        )
        batch.create_index("ix_change_event_grid_code", ["grid_code", "seq"])
    with op.batch_alter_table("citizen_report") as batch:
        batch.add_column(
            sa.Column(
                "origin", sa.String(length=64), server_default="chengguan.report", nullable=False
            )
        )
        batch.add_column(sa.Column("house_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("located_by", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("assigned_role", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("valid", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch.add_column(sa.Column("submitted_by", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("report_step") as batch:
        batch.add_column(sa.Column("role", sa.String(length=32), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("report_step") as batch:
        batch.drop_column("role")
    with op.batch_alter_table("citizen_report") as batch:
        for column in ("version", "submitted_by", "answer", "valid", "assigned_role",
                       "located_by", "house_id", "origin"):  # fmt: skip
            batch.drop_column(column)
    with op.batch_alter_table("change_event") as batch:
        batch.drop_index("ix_change_event_grid_code")
        batch.drop_constraint("fk_change_event_decision_id_steward_decision", type_="foreignkey")
        for column in ("decision_id", "grid_before", "grid_code"):
            batch.drop_column(column)
