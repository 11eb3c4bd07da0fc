"""Type aliases shared across the hub (and nothing else)."""

from __future__ import annotations

from typing import Any, TypeAlias

#: A row as a department delivered it: column name -> cell value, text except where the file
#: format itself carries types (JSON numbers, Excel numbers and dates).
RawRow: TypeAlias = dict[str, Any]

#: Normalised fields of one source record, JSON-serialisable.
NormalisedFields: TypeAlias = dict[str, Any]

#: Source system short name: gongan, minzheng, weijian, dangjian, chengguan, wangge, grid.
SourceName: TypeAlias = str

#: Dataset name within a source, e.g. "人口" or "标准地址".
DatasetName: TypeAlias = str
