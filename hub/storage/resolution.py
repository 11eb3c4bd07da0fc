"""Resolution state kept between runs: the runs themselves and the scored candidate pairs
(so a new snapshot scores only new and changed records, and stewards review near misses)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base, UtcDateTime, created_at, intpk


class ResolutionRun(Base):
    """One run of ``hub resolve``: full or incremental, with what it found."""

    __tablename__ = "resolution_run"

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(16))  # full, incremental
    as_of: Mapped[dt.date | None] = mapped_column(Date)  # newest snapshot date it saw
    model_version: Mapped[str | None] = mapped_column(String(64))
    # Model and survivorship rules it ran with: a run with other settings resolves everything.
    settings_hash: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[created_at]
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    counts: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)


class MatchPair(Base):
    """A scored candidate pair of person records (``uid_l < uid_r``)."""

    __tablename__ = "match_pair"
    __table_args__ = (Index("ix_match_pair_uid_r", "uid_r"),)

    uid_l: Mapped[str] = mapped_column(String(96), primary_key=True)
    uid_r: Mapped[str] = mapped_column(String(96), primary_key=True)
    # Hashes of the two identity profiles when scored: a stored pair is reused only while
    # both records still present those profiles.
    profile_l: Mapped[str] = mapped_column(String(40))
    profile_r: Mapped[str] = mapped_column(String(40))
    match_weight: Mapped[float] = mapped_column(Float)
    match_probability: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]]  # gamma_* levels and mw_* weights per comparison
    run_id: Mapped[int]
