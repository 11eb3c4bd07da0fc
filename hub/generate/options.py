"""What a generator run is asked to do (:class:`GenerateOptions`) and what it did (the report).

Every deliberate imperfection in the landing data has a rate in :class:`NoiseRates`. The rates
are the defaults for ``--noise 1``; ``--noise F`` multiplies each of them by ``F`` (capped at
1), so ``--noise 0`` writes clean, canonical files and ``--noise 3`` writes very dirty ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATE = "20261115"


@dataclass(frozen=True, slots=True)
class NoiseRates:
    """Probabilities of each quirk, per record (or per file for ``truncated_file``)."""

    # gongan/人口
    legacy_id: float = 0.02  # 15-digit ID, of people born before 1985
    population_checksum: float = 0.001  # wrong check digit
    floating_without_id: float = 0.03  # floating person registered without an ID number
    address_code_missing: float = 0.02  # 居住地址编码 left empty
    reregistered: float = 0.005  # person with an earlier, cancelled row under another 人员编号
    # IDs, names and phones in the other departments' files
    id_checksum: float = 0.004  # wrong check digit
    id_format: float = 0.002  # a digit typed twice (19 characters)
    id_lowercase_x: float = 0.4  # of IDs ending in X
    id_spaces: float = 0.03  # spaces inside or around the ID (civil affairs)
    id_excel_number: float = 0.04  # ID cell typed as a number (civil affairs)
    name_typo: float = 0.01  # homophone character
    name_spaces: float = 0.05  # stray spaces (civil affairs)
    traditional_name: float = 0.03  # traditional characters (vaccinations)
    stale_phone: float = 0.3  # an older phone number, of people who changed theirs
    invalid_phone: float = 0.005  # a digit missing
    landline: float = 0.25  # civil affairs: the household's landline instead of a mobile
    two_phones: float = 0.08  # civil affairs: two numbers joined by "/"
    sex_missing: float = 0.05  # civil affairs: 性别 left empty
    sex_conflict: float = 0.01  # civil affairs: 性别 contradicts the ID number
    # formats
    date_variant: float = 0.8  # civil affairs 起始日期 not written as YYYY-MM-DD text
    amount_variant: float = 0.6  # civil affairs 月保障金额 not a plain number
    month_variant: float = 0.4  # party 出生年月 as YYYY.MM instead of YYYY-MM
    invalid_date: float = 0.005  # an impossible date (civil affairs, party)
    address_variant: float = 0.7  # free-text address not in canonical form
    # bad rows a loader must quarantine (per file: rate x rows, at least one when > 0)
    bad_missing_name: float = 0.0005
    bad_column_count: float = 0.0005
    bad_unreadable_json: float = 0.0005
    bad_not_an_object: float = 0.0002
    bad_duplicate_id: float = 0.0005
    bad_missing_id: float = 0.0002
    bad_malformed_id: float = 0.0002
    bad_geometry: float = 0.001
    truncated_file: float = 0.2  # share of CSV/JSONL files per snapshot whose last line is cut

    def scaled(self, factor: float) -> NoiseRates:
        """Every rate multiplied by ``factor`` and capped at 1."""
        values = {
            f.name: min(1.0, max(0.0, getattr(self, f.name) * factor))
            for f in dataclasses.fields(self)
        }
        return NoiseRates(**values)

    def to_dict(self) -> dict[str, float]:
        """The rates by name, for the manifest."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True, slots=True)
class GenerateOptions:
    """One run of the generator.

    With ``next_snapshot`` the run appends the following monthly delivery to an existing landing
    folder; the world parameters (residents, seed, date, noise, rates) must then equal those in
    the truth folder's manifest.
    """

    residents: int = 2000
    seed: int = 1
    out: Path = Path("var/landing")
    truth: Path = Path("var/truth")
    date: str = DEFAULT_DATE  # first snapshot, YYYYMMDD
    noise: float = 1.0
    rates: NoiseRates = field(default_factory=NoiseRates)
    next_snapshot: bool = False

    @property
    def effective_rates(self) -> NoiseRates:
        """The rates after ``noise`` is applied."""
        return self.rates.scaled(self.noise)


@dataclass(frozen=True, slots=True)
class FileStats:
    """One file written: where (relative to its root folder), rows and size."""

    path: str
    dataset: str  # catalog key, or "truth"
    rows: int  # data rows (for truth files: lines after the header)
    bad_rows: int
    bytes: int


@dataclass(frozen=True, slots=True)
class GenerateReport:
    """What a run wrote."""

    snapshot: int  # 0 for the first delivery
    date: str  # YYYYMMDD of the snapshot written
    out: Path
    truth: Path
    files: tuple[FileStats, ...]
    truth_files: tuple[FileStats, ...]
    seconds: float


class GenerateError(Exception):
    """The run cannot proceed (bad options, no manifest for --next-snapshot...)."""
