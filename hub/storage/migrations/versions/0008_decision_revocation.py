"""decision revocation: why a steward revoked a decision, beside who and when

Stewards list their decisions and revoke one (``hub.stewards.decisions``); a revocation is a
ruling too, so it keeps its reason as the decision keeps its own.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("steward_decision") as batch:
        batch.add_column(sa.Column("revoked_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("steward_decision") as batch:
        batch.drop_column("revoked_reason")
