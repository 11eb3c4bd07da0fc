"""Which standard addresses agree with the parts of an address that are known.

A free-text address leaves parts out (the township, the village, the stair). A part left out
is a wildcard: every standard address agrees with it, so it can only widen the candidates, and
a query links only when the candidates are one house (or one building). Queries are grouped by
the set of levels they constrain; each set is answered by one ``groupby`` of the standard table
and one join, so the county links in seconds whatever the number of records.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from hub.normalise.addresses import LEVELS

#: The levels that name a building: a door number without 幢 is its own building.
BUILDING_LEVELS: tuple[str, ...] = LEVELS[:5]

MATCH_COLUMNS = ("count", "address_code", "buildings", "building_code")


def split_key(keys: pd.Series) -> pd.DataFrame:
    """Address keys (``'|'``-joined, trailing empty parts dropped) as one column per level,
    ``""`` for an empty part."""
    filled = keys.fillna("").astype(str)
    parts = filled.str.split("|", n=len(LEVELS) - 1, expand=True)
    parts = parts.reindex(columns=range(len(LEVELS))).fillna("")
    parts.columns = list(LEVELS)
    return parts.set_axis(keys.index)


class StandardIndex:
    """The standard address table, summarised per set of constrained levels on demand.

    ``standard`` holds ``address_code``, ``building_code`` and one column per level (``""``
    for an empty part).
    """

    def __init__(self, standard: pd.DataFrame) -> None:
        self._standard = standard
        self._summary = cache(self._summarise)

    def agreeing(self, queries: pd.DataFrame, constrained: pd.DataFrame) -> pd.DataFrame:
        """For each query: how many standard addresses agree on its constrained levels
        (``count``), the address code when exactly one does, how many buildings they lie in
        (``buildings``) and the building code when that is one.

        ``constrained`` has one boolean column per level in ``queries``' columns, same index.
        """
        levels = list(constrained.columns)
        masks = constrained.astype("int64").dot([1 << i for i in range(len(levels))])
        result = pd.DataFrame(
            {"count": 0, "address_code": None, "buildings": 0, "building_code": None},
            index=queries.index,
        ).astype({"address_code": object, "building_code": object})
        for mask in np.unique(masks.to_numpy()):
            index = masks.index[masks == mask]
            columns = [level for i, level in enumerate(levels) if int(mask) >> i & 1]
            found = queries.loc[index, columns].assign(_all=0)
            joined = found.join(self._summary(tuple(columns)), on=[*columns, "_all"])
            for column in MATCH_COLUMNS:
                values = joined[column]
                if column in ("count", "buildings"):
                    values = values.fillna(0).astype("int64")
                result.loc[index, column] = values.astype(result[column].dtype)
        for column in ("address_code", "building_code"):
            result[column] = result[column].where(result[column].notna(), None)
        return result

    def _summarise(self, columns: tuple[str, ...]) -> pd.DataFrame:
        # The constant column lets one join serve every mask, the empty one included.
        grouped = self._standard.assign(_all=0).groupby([*columns, "_all"], sort=False)
        summary = grouped.agg(
            count=("address_code", "size"),
            address_code=("address_code", "first"),
            buildings=("building_code", "nunique"),
            building_code=("building_code", "first"),
        )
        summary["address_code"] = summary["address_code"].where(summary["count"] == 1, None)
        summary["building_code"] = summary["building_code"].where(summary["buildings"] == 1, None)
        return summary
