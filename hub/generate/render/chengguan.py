"""chengguan/: door plates (one GeoJSON point per building) and citizen reports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

from hub.generate import reports as report_rules
from hub.generate.addresses import door_plate_address
from hub.generate.render import Context, Rendered


def door_plates(ctx: Context, out: Rendered) -> Iterator[dict[str, Any]]:
    """One Feature per building; the truth ties it to the building, not to a house."""
    ids = ctx.world.ids.door_plate
    for building in ctx.world.buildings:
        rid = ids.real(building.serial)
        out.houses.append((rid, "", building.key))
        yield {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [building.lng, building.lat]},
            "properties": {
                "门牌编码": rid,
                "地址": door_plate_address(building),
                "建筑类型": building.kind,
                "楼层数": building.floors,
            },
        }


def reports(ctx: Context, out: Rendered) -> Iterator[dict[str, Any]]:
    """The last year's reports, each with the status it has reached by the export."""
    ids = ctx.world.ids.report
    exported = datetime.combine(ctx.on, time(23, 59, 59))
    for report in ctx.world.reports:
        if not report_rules.visible(report, ctx.on):
            continue
        rid = f"CG{report.reported:%Y%m%d}{ids.real(report.serial)}"
        state = report_rules.status(report, exported)
        if report.reporter is not None:
            out.person(rid, report.reporter)
        row: dict[str, Any] = {
            "event_id": rid,
            "category": report.category,
            "description": report.description,
            "address": report.address,
            "lng": report.lng,
            "lat": report.lat,
            "reported_at": f"{report.reported:%Y-%m-%dT%H:%M:%S}+08:00",
            "reporter_phone": report.phone,
            "status": state,
            "department": report.department if state != report_rules.STATUSES[0] else "",
            "rating": report.rating if state == report_rules.STATUSES[-1] else None,
            "points": report_rules.points(report, state),
        }
        yield row
