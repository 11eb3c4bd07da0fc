"""wangge/: the grid hierarchy, from townships down to responsibility grids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hub.generate.render import Context, Rendered


def grids(ctx: Context, out: Rendered) -> Iterator[dict[str, Any]]:
    """Every grid, parents before children; responsibility grids list their buildings."""
    for township in ctx.world.townships:
        yield _row(township.code, township.name, "乡镇", "")
        for village in township.villages:
            yield _row(village.code, village.name, "一级网格", township.code)
            for unit in village.unit_grids:
                yield _row(unit.code, unit.name, "单元网格", village.code, unit.worker, unit.phone)
                for resp in unit.resp_grids:
                    buildings = ";".join(b.code for b in resp.buildings)
                    yield _row(resp.code, resp.name, "责任网格", unit.code, resp.worker, resp.phone,
                               buildings)  # fmt: skip


def _row(
    code: str, name: str, level: str, parent: str, worker: str = "", phone: str = "",
    buildings: str = "",
) -> dict[str, Any]:  # fmt: skip
    return {
        "网格编码": code,
        "网格名称": name,
        "层级": level,
        "上级编码": parent,
        "网格员": worker,
        "网格员电话": phone,
        "楼栋编码": buildings,
    }
