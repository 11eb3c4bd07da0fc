"""``evalset generate``: a landing folder and its truth, or the next delivery of both.

The truth folder keeps ``meta.json`` (residents, seed, noise, the snapshot dates and a digest
of each snapshot's ``persons.csv``). The next snapshot replays the world from the seed through
the earlier dates (checking the digest, so a changed generator or a hand-edited truth is found
out), then moves it on to the new date and writes only the new deliveries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from evalset import delivery, events, truth
from evalset.world import Params, World, build

META = "meta.json"
FORMAT = 1


class GenerateError(Exception):
    """A request the generator cannot honour; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Outcome:
    world: World
    written: list[str]
    truth_dir: Path


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Meta:
    """What ``meta.json`` holds: enough to replay every snapshot."""

    residents: int
    seed: int
    noise: float
    dates: list[date]
    digests: list[str]  # sha256 of persons.csv after each snapshot

    def params(self) -> Params:
        return Params(residents=self.residents, seed=self.seed, noise=self.noise)

    def dump(self) -> str:
        return (
            json.dumps(
                {
                    "format": FORMAT,
                    "residents": self.residents,
                    "seed": self.seed,
                    "noise": self.noise,
                    "dates": [f"{d:%Y%m%d}" for d in self.dates],
                    "digests": self.digests,
                    "snapshot_date": f"{self.dates[-1]:%Y-%m-%d}",
                },
                indent=2,
            )
            + "\n"
        )

    @classmethod
    def load(cls, truth_dir: Path) -> Meta:
        path = truth_dir / META
        if not path.is_file():
            raise GenerateError(
                f"{path}: no such file: --next-snapshot needs the truth folder "
                f"of an earlier `evalset generate`"
            )
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("format") != FORMAT:
                raise ValueError(f"format {raw.get('format')!r}, expected {FORMAT}")
            return cls(
                residents=int(raw["residents"]),
                seed=int(raw["seed"]),
                noise=float(raw["noise"]),
                dates=[datetime.strptime(d, "%Y%m%d").date() for d in raw["dates"]],
                digests=[str(d) for d in raw["digests"]],
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise GenerateError(f"{path}: not a truth folder of this generator ({exc})") from None


def first(params: Params, today: date, landing: Path, truth_dir: Path) -> Outcome:
    if landing.exists() and any(landing.iterdir()):
        raise GenerateError(
            f"{landing} is not empty: give an empty folder, or --next-snapshot "
            f"to add the next delivery"
        )
    world = build(params, today)
    delivered = delivery.Delivered()
    written = delivery.deliver(world, landing, delivered)
    texts = truth.truth_files(world, delivered)
    meta = Meta(
        params.residents, params.seed, params.noise, [today], [_digest(texts["persons.csv"])]
    )
    _write_truth(truth_dir, texts, world, meta)
    return Outcome(world, written, truth_dir)


def next_snapshot(
    landing: Path, truth_dir: Path, today: date | None, asked: dict[str, float | None]
) -> Outcome:
    meta = Meta.load(truth_dir)
    for key, value in asked.items():
        recorded = getattr(meta, key)
        if value is not None and value != recorded:
            raise GenerateError(
                f"--{key} {value} differs from the {recorded} the earlier "
                f"snapshots were made with ({truth_dir / META})"
            )
    new = today or meta.dates[-1] + timedelta(days=30)
    if new <= meta.dates[-1]:
        raise GenerateError(
            f"--date {new:%Y%m%d} is not after the last snapshot {meta.dates[-1]:%Y%m%d}"
        )
    if not landing.is_dir():
        raise GenerateError(
            f"{landing}: no such folder: --next-snapshot adds to an existing landing folder"
        )
    world = build(meta.params(), meta.dates[0])
    delivered = delivery.Delivered()
    delivery.deliver(world, None, delivered)
    for day in meta.dates[1:]:
        events.advance(world, day)
        delivery.deliver(world, None, delivered)
    if _digest(truth.truth_files(world, delivered)["persons.csv"]) != meta.digests[-1]:
        raise GenerateError(
            f"replaying {truth_dir / META} does not give the truth it recorded: "
            f"the generator or the truth folder changed since"
        )
    world.noise.reset()
    events.advance(world, new)
    written = delivery.deliver(world, landing, delivered)
    texts = truth.truth_files(world, delivered)
    meta.dates.append(new)
    meta.digests.append(_digest(texts["persons.csv"]))
    _write_truth(truth_dir, texts, world, meta)
    return Outcome(world, written, truth_dir)


def _write_truth(truth_dir: Path, texts: dict[str, str], world: World, meta: Meta) -> None:
    truth_dir.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (truth_dir / name).write_text(text, encoding="utf-8", newline="")
    (truth_dir / "noise.csv").write_text(
        world.noise.csv_text(f"{world.today:%Y%m%d}"), encoding="utf-8", newline=""
    )
    (truth_dir / META).write_text(meta.dump(), encoding="utf-8", newline="")
