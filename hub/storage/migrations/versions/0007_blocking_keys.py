"""blocking keys: indexes that let an incremental run find a changed record's candidates

An incremental resolution reads only the neighbourhood of what changed: the records that
share a blocking key (name and birth month, phone, house, house code, birth date and surname,
name and resident ID, resident ID) with a new or changed record, looked up by index instead
of reading every current record (see ``hub.resolution.neighbourhood``). The indexes hold
current versions only, and cover their lookups.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: As ``hub.storage.ingest.BLOCKING_KEYS`` when this revision was written.
KEYS = {
    "pinyin_birth": ["name_pinyin", "birth_date", "dataset", "record_id"],
    "phone": ["phone", "dataset", "record_id"],
    "address_key": ["address_key", "dataset", "record_id"],
    "address_code": ["address_code", "dataset", "record_id"],
    "birth_name": ["birth_date", "name", "dataset", "record_id"],
    "name_id": ["name", "resident_id", "dataset", "record_id"],
    "resident_id": ["resident_id", "dataset", "record_id"],
}
CURRENT = sa.text("valid_to IS NULL")


def upgrade() -> None:
    """Upgrade schema."""
    for name, columns in KEYS.items():
        op.create_index(f"ix_current_{name}", "source_record", columns,
                        sqlite_where=CURRENT, postgresql_where=CURRENT)  # fmt: skip


def downgrade() -> None:
    """Downgrade schema."""
    for name in KEYS:
        op.drop_index(f"ix_current_{name}", table_name="source_record")
