"""incremental resolution and grid entries: link versions, run settings, covering key index,
change versions, lives_alone, who recorded a value

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = (
    "name", "name_pinyin", "resident_id", "birth_date", "sex", "phone", "address_code",
    "address_key", "household_no",
)  # fmt: skip


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("record_link") as batch:
        batch.add_column(sa.Column("version_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("change_event") as batch:
        batch.add_column(sa.Column("entity_version", sa.Integer(), nullable=True))
    with op.batch_alter_table("resolution_run") as batch:
        batch.add_column(sa.Column("settings_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("lives_alone", sa.Boolean(), nullable=True))
    with op.batch_alter_table("provenance") as batch:
        batch.add_column(sa.Column("recorded_by", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("ix_source_record_current", table_name="source_record")
    op.create_index(
        "ix_source_record_current",
        "source_record",
        ["dataset", "valid_to", "record_id", "valid_from", *KEYS],
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_source_record_current", table_name="source_record")
    op.create_index(
        "ix_source_record_current", "source_record", ["dataset", "valid_to", "record_id"]
    )
    with op.batch_alter_table("provenance") as batch:
        batch.drop_column("recorded_at")
        batch.drop_column("recorded_by")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("lives_alone")
    with op.batch_alter_table("resolution_run") as batch:
        batch.drop_column("settings_hash")
    with op.batch_alter_table("change_event") as batch:
        batch.drop_column("entity_version")
    with op.batch_alter_table("record_link") as batch:
        batch.drop_column("version_id")
