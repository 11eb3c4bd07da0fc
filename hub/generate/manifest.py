"""``manifest.json`` in the truth folder: the options, and every snapshot and file written.

It is also the generator's memory: ``--next-snapshot`` reads the world parameters and the
number of snapshots from it, rebuilds the world from the seed and moves it on one more month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.generate.options import GenerateError, GenerateOptions, NoiseRates

MANIFEST = "manifest.json"
FORMAT = 1


@dataclass(slots=True)
class Manifest:
    """What has been generated into a landing folder so far."""

    residents: int
    seed: int
    date: str
    noise: float
    rates: NoiseRates
    landing: str  # the landing folder, resolved
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    truth: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_options(cls, options: GenerateOptions) -> Manifest:
        """A new manifest for a first snapshot."""
        return cls(
            residents=options.residents,
            seed=options.seed,
            date=options.date,
            noise=options.noise,
            rates=options.rates,
            landing=str(options.out.resolve()),
        )

    def options(self, out: Path, truth: Path) -> GenerateOptions:
        """The options the landing folder was generated with (for the next snapshot)."""
        return GenerateOptions(
            residents=self.residents,
            seed=self.seed,
            out=out,
            truth=truth,
            date=self.date,
            noise=self.noise,
            rates=self.rates,
            next_snapshot=True,
        )

    def files(self) -> list[str]:
        """Every file written so far, relative to the landing folder."""
        return [f for s in self.snapshots for f in s["files"]]

    def to_json(self) -> dict[str, Any]:
        """The manifest as written to ``manifest.json``."""
        return {
            "format": FORMAT,
            "generator": "hub generate",
            "options": {
                "residents": self.residents,
                "seed": self.seed,
                "date": self.date,
                "noise": self.noise,
                "rates": self.rates.to_dict(),
            },
            "seed": self.seed,
            "landing": self.landing,
            "snapshots": self.snapshots,
            "row_counts": {
                f: info["rows"] for s in self.snapshots for f, info in s["files"].items()
            },
            "truth": self.truth,
        }


def read_manifest(folder: Path) -> Manifest:
    """The manifest in a truth folder; :class:`GenerateError` if there is none."""
    path = folder / MANIFEST
    if not path.exists():
        raise GenerateError(f"no {MANIFEST} in {folder}: generate a first snapshot there first")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise GenerateError(f"{path}: unknown manifest format {data.get('format')!r}")
    options = data["options"]
    return Manifest(
        residents=int(options["residents"]),
        seed=int(options["seed"]),
        date=str(options["date"]),
        noise=float(options["noise"]),
        rates=NoiseRates(**options["rates"]),
        landing=str(data["landing"]),
        snapshots=list(data["snapshots"]),
        truth=dict(data.get("truth", {})),
    )


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write ``manifest.json`` (stable key order, so reruns give the same bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=2)
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")
