"""access: the audit chain's head and person index; audit rows append-only

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
#: Rows nothing in the hub updates or deletes; the database refuses it too.
APPEND_ONLY = ("audit_entry", "audit_person")
MESSAGE = "audit entries are append-only"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_person",
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["audit_entry.id"], name=op.f("fk_audit_person_entry_id_audit_entry")
        ),
        sa.PrimaryKeyConstraint("entry_id", "person_id", name=op.f("pk_audit_person")),
    )
    with op.batch_alter_table("audit_person", schema=None) as batch_op:
        batch_op.create_index("ix_audit_person_person", ["person_id", "entry_id"], unique=False)
    op.execute(
        sa.text(
            "insert into audit_head (id, length, entry_id, entry_hash) values (1, 0, null, :h)"
        ).bindparams(h=GENESIS)
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            create function hub_audit_append_only() returns trigger language plpgsql as $$
            begin
              raise exception '{MESSAGE}: % on %', tg_op, tg_table_name;
            end $$""")
        for table in APPEND_ONLY:
            op.execute(f"""create trigger {table}_append_only before update or delete
                           on {table} for each row execute function hub_audit_append_only()""")
            op.execute(f"""create trigger {table}_no_truncate before truncate on {table}
                           for each statement execute function hub_audit_append_only()""")
        op.execute("""create trigger audit_head_kept before delete on audit_head
                      for each row execute function hub_audit_append_only()""")
    else:
        for table in APPEND_ONLY:
            for action in ("update", "delete"):
                op.execute(f"""create trigger {table}_no_{action} before {action} on {table}
                               begin select raise(abort, '{MESSAGE}'); end""")
        op.execute(f"""create trigger audit_head_kept before delete on audit_head
                       begin select raise(abort, '{MESSAGE}'); end""")


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"drop trigger if exists {table}_append_only on {table}")
            op.execute(f"drop trigger if exists {table}_no_truncate on {table}")
        op.execute("drop trigger if exists audit_head_kept on audit_head")
        op.execute("drop function if exists hub_audit_append_only()")
    else:
        for table in APPEND_ONLY:
            for action in ("update", "delete"):
                op.execute(f"drop trigger if exists {table}_no_{action}")
        op.execute("drop trigger if exists audit_head_kept")
    with op.batch_alter_table("audit_person", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_person_person")
    op.drop_table("audit_person")
    op.drop_table("audit_head")
