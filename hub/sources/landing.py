"""The landing folder: which files are deliveries, and which are not (and why).

``<landing>/<source>/<stem>_<date>.<ext>``, one sub-folder per source. A dataset is recognised
only in its own source's folder: a ``人口_…csv`` dropped into ``minzheng/`` is not a delivery.
Files still being copied (``.tmp``), names that do not follow a pattern and impossible dates are
listed as ignored, with the reason, so an operator can see them; they are never read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hub.sources.catalog import DATASETS, SOURCES, Dataset


@dataclass(frozen=True, slots=True)
class DeliveryFile:
    """A file that is a delivery of a dataset."""

    dataset: Dataset
    path: Path
    date_token: str  # as in the name: YYYYMMDD, or YYYYMM for monthly datasets
    snapshot_date: dt.date  # YYYYMM -> the first of the month
    size: int  # bytes, at discovery

    @property
    def file(self) -> str:
        """The file name, as used in messages."""
        return self.path.name


@dataclass(frozen=True, slots=True)
class IgnoredFile:
    """A file (or folder) in the landing area that is not a delivery."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class Discovery:
    """What is in the landing folder."""

    deliveries: list[DeliveryFile]  # sorted by dataset key, then snapshot date
    ignored: list[IgnoredFile]  # sorted by path


def discover(landing: Path) -> Discovery:
    """List the deliveries under ``landing`` and everything else found there, with reasons."""
    if not landing.is_dir():
        raise FileNotFoundError(f"landing folder {landing} does not exist")
    deliveries: list[DeliveryFile] = []
    ignored: list[IgnoredFile] = []
    for entry in landing.iterdir():
        if not entry.is_dir():
            ignored.append(IgnoredFile(entry, "not in a source folder"))
        elif entry.name not in SOURCES:
            ignored.append(IgnoredFile(entry, "unknown source folder"))
        else:
            for path in entry.iterdir():
                found = _classify(entry.name, path)
                if isinstance(found, DeliveryFile):
                    deliveries.append(found)
                else:
                    ignored.append(found)
    deliveries.sort(key=lambda d: (d.dataset.key, d.snapshot_date, d.path.name))
    ignored.sort(key=lambda i: i.path)
    return Discovery(deliveries, ignored)


def newest(deliveries: Iterable[DeliveryFile]) -> dict[str, DeliveryFile]:
    """The newest delivery (by the date in its name, not the file time) per dataset key."""
    latest: dict[str, DeliveryFile] = {}
    for delivery in deliveries:
        current = latest.get(delivery.dataset.key)
        if current is None or delivery.snapshot_date > current.snapshot_date:
            latest[delivery.dataset.key] = delivery
    return latest


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex; read in chunks, never whole."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _classify(source: str, path: Path) -> DeliveryFile | IgnoredFile:
    name = path.name
    if not path.is_file():
        return IgnoredFile(path, "not a file")
    if name.endswith(".tmp"):
        return IgnoredFile(path, ".tmp file still being copied")
    if name.startswith("."):
        return IgnoredFile(path, "hidden file")
    own = [d for d in DATASETS if d.source == source]
    for dataset in own:
        match = dataset.pattern.match(name)
        if match:
            token = match.group(1)
            snapshot = _snapshot_date(token) if token.isascii() else None
            if snapshot is None:
                return IgnoredFile(path, f"impossible date {token}")
            return DeliveryFile(dataset, path, token, snapshot, path.stat().st_size)
    for dataset in DATASETS:
        if dataset.source != source and dataset.pattern.match(name):
            return IgnoredFile(path, f"a {dataset.source} file in the {source} folder")
    candidates = [d for d in own if name.startswith(d.stem)] or own
    patterns = " or ".join(d.file_name("YYYYMMDD") for d in candidates)
    return IgnoredFile(path, f"name does not follow the pattern {patterns}")


def _snapshot_date(token: str) -> dt.date | None:
    try:
        if len(token) == 6:
            return dt.date(int(token[:4]), int(token[4:]), 1)
        return dt.date(int(token[:4]), int(token[4:6]), int(token[6:]))
    except ValueError:
        return None
