"""Survivorship rules, declared as data (``rules/survivorship.yaml``), applied to candidates.

For each golden field, every record of an entity that carries a value is a candidate; the rule
orders them and the first wins. The winner's source, record id and snapshot date, the rule and
the alternatives it beat are the field's provenance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml

from hub.resolution.records import PERSON_DATASETS

RULES_PATH = Path(__file__).with_name("rules") / "survivorship.yaml"
RuleName = Literal["source_priority", "most_recent"]
MAX_ALTERNATIVES = 5


@dataclass(frozen=True, slots=True)
class FieldRule:
    field: str
    rule: RuleName
    sources: tuple[str, ...]
    prefer_complete: bool = False
    fallback: tuple[str, ...] = ()  # sources by priority, used only where ``sources`` have none

    @property
    def label(self) -> str:
        """How provenance names the rule, e.g. ``source_priority(gongan.population>...)``."""
        after = f"; then {'>'.join(self.fallback)}" if self.fallback else ""
        return f"{self.rule}({'>'.join(self.sources)}{after})"


class RulesError(ValueError):
    """The rules file is not valid; raised at load, never mid-run."""


def load_rules(path: Path = RULES_PATH, entity: str = "person") -> dict[str, FieldRule]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    section = (document or {}).get(entity)
    if not isinstance(section, dict) or not section:
        raise RulesError(f"{path}: no rules for {entity!r}")
    rules: dict[str, FieldRule] = {}
    for name, spec in section.items():
        if not isinstance(spec, dict):
            raise RulesError(f"{path}: {entity}.{name} must be a mapping")
        rule = spec.get("rule")
        if rule not in ("source_priority", "most_recent"):
            raise RulesError(f"{path}: {entity}.{name}: unknown rule {rule!r}")
        sources = tuple(spec.get("sources") or ())
        fallback = tuple(spec.get("fallback") or ())
        unknown = [s for s in (*sources, *fallback) if s not in PERSON_DATASETS]
        if not sources or unknown:
            raise RulesError(f"{path}: {entity}.{name}: sources missing or unknown: {unknown}")
        if set(sources) & set(fallback):
            raise RulesError(f"{path}: {entity}.{name}: a source is listed twice")
        extra = set(spec) - {"rule", "sources", "prefer_complete", "fallback"}
        if extra:
            raise RulesError(f"{path}: {entity}.{name}: unknown keys {sorted(extra)}")
        complete = bool(spec.get("prefer_complete", False))
        rules[name] = FieldRule(name, rule, sources, complete, fallback)
    return rules


def survive(candidates: pd.DataFrame, rule: FieldRule) -> pd.DataFrame:
    """Pick each entity's golden value for one field.

    ``candidates`` has columns entity_id, value, dataset, record_id, valid_from (and, if the
    caller computed it once for many fields, ``recency``: minus the snapshot's nanoseconds).
    Returns one row per entity with the winner's columns plus ``alternatives`` (distinct other
    values, each with where it came from, at most :data:`MAX_ALTERNATIVES`).
    """
    named = (*rule.sources, *rule.fallback)
    frame = candidates[candidates["dataset"].isin(named) & candidates["value"].notna()]
    frame = frame[frame["value"].astype(str) != ""].copy()
    if frame.empty:
        return frame.assign(alternatives=[])
    frame["priority"] = frame["dataset"].map({s: i for i, s in enumerate(named)})
    # The rule orders the main sources; each fallback source is a tier of its own after them.
    frame["tier"] = (frame["priority"] - len(rule.sources) + 1).clip(lower=0)
    if "recency" not in frame:
        frame["recency"] = recency(frame["valid_from"])
    # Sorted on integers (ids as their rank), which is many times faster than on text; a
    # caller resolving many fields factorises the ids once (``entity_code``, ``record_code``).
    for name, code in (("entity_id", "entity_code"), ("record_id", "record_code")):
        if code not in frame:
            frame[code] = pd.factorize(frame[name], sort=True)[0]
    keys = ["entity_code"]
    if rule.prefer_complete:
        frame["incomplete"] = -frame["value"].astype(str).str.len()
        keys.append("incomplete")
    keys.append("tier")
    if rule.rule == "source_priority":
        keys += ["priority", "recency"]
    else:
        keys += ["recency", "priority"]
    keys.append("record_code")
    frame = frame.iloc[np.lexsort([frame[k].to_numpy() for k in reversed(keys)])]
    first = ~frame["entity_code"].duplicated()
    winners = frame[first]
    # Rows are in entity order: an entity's winner and its alternatives are found by
    # position (searchsorted), not by grouping.
    won_codes = winners["entity_code"].to_numpy()
    others = frame[~frame.duplicated(["entity_code", "value"])]
    won = winners["value"].to_numpy()[np.searchsorted(won_codes, others["entity_code"].to_numpy())]
    others = others[(others["value"] != won).to_numpy()]
    others = others[(others.groupby("entity_code").cumcount() < MAX_ALTERNATIVES).to_numpy()]
    listed = [
        {"value": _plain(v), "dataset": d, "record_id": r, "snapshot_date": _date_text(s)}
        for v, d, r, s in zip(others["value"].tolist(), others["dataset"].tolist(),
                              others["record_id"].tolist(), others["valid_from"].tolist(),
                              strict=True)
    ]  # fmt: skip
    codes = others["entity_code"].to_numpy()
    starts = np.searchsorted(codes, won_codes, side="left").tolist()
    ends = np.searchsorted(codes, won_codes, side="right").tolist()
    winners = winners[["entity_id", "value", "dataset", "record_id", "valid_from"]]
    winners = winners.reset_index(drop=True)
    alternatives = [listed[a:b] for a, b in zip(starts, ends, strict=True)]
    winners["alternatives"] = pd.Series(alternatives, index=winners.index, dtype=object)
    return winners


def recency(valid_from: pd.Series) -> pd.Series:
    """Sort key that puts the newest snapshot first (minus its nanoseconds since 1970)."""
    return -pd.to_datetime(valid_from).astype("int64")


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _date_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)
