"""Storage: SQLAlchemy 2.0 models, engines and sessions, Alembic migrations.

The caller owns the session and the transaction: functions here never commit.
"""
