"""ingest: the current-versions index covers the content hash

A new snapshot starts by reading the content hash of every current version of its dataset
(929k for the county's vaccinations). With the hash in the index that read no longer visits
the table: 3 s instead of 8-17 s.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-03

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.drop_index("ix_source_record_current")
        batch_op.create_index(
            "ix_source_record_current",
            ["dataset", "valid_to", "record_id", "content_hash"],
            unique=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.drop_index("ix_source_record_current")
        batch_op.create_index(
            "ix_source_record_current", ["dataset", "valid_to", "record_id"], unique=False
        )
