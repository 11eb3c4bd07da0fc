"""blocking keys: indexes that let an incremental run find a changed record's candidates

An incremental resolution reads only the neighbourhood of what changed: the records that
share a blocking key (pinyin of the name, phone, house, house code, birth date) with a new or
changed record, looked up by index instead of reading every current record (see
``hub.resolution.neighbourhood``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = ("name_pinyin", "phone", "address_key", "address_code", "birth_date")


def upgrade() -> None:
    """Upgrade schema."""
    for key in KEYS:
        op.create_index(f"ix_source_record_{key}", "source_record", [key])


def downgrade() -> None:
    """Downgrade schema."""
    for key in KEYS:
        op.drop_index(f"ix_source_record_{key}", table_name="source_record")
