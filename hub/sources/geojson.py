"""GeoJSON deliveries (city-management door plates): decoded text -> rows or problems.

The file must be one FeatureCollection; each feature becomes a row numbered by its 1-based
index in ``features``. ``raw`` is the feature's properties plus ``lng`` and ``lat`` from its
Point geometry. Coordinates are GCJ-02 (the departments' map system, although RFC 7946 says
WGS 84); they are kept as delivered, not converted.

Unlike CSV and JSON Lines, a GeoJSON file is a single JSON document: a half-written file does
not break only its last line, it cannot be parsed at all. Such a file is rejected as a whole
(:class:`DeliveryRejected`) and the previous snapshot stays current; the contract's "a
half-written file breaks only its last line" is a line-format notion that does not apply here.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hub.sources.catalog import Dataset
from hub.sources.encoding import Decoded
from hub.sources.jsonlines import json_type, loads
from hub.sources.problems import DeliveryRejected, Reason
from hub.sources.reading import ReadResult, RowCollector, as_text, text_result


def read_geojson(dataset: Dataset, file: str, decoded: Decoded) -> ReadResult:
    """Read a decoded GeoJSON delivery of ``dataset``; raise DeliveryRejected if unreadable."""
    features = _features(file, decoded.text)
    out = RowCollector(dataset, file, unit="feature")
    id_field = dataset.record_id_field
    with_id = 0
    for number, feature in enumerate(features, 1):
        text = json.dumps(feature, ensure_ascii=False)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            detail = f"a JSON {json_type(feature)} that is not a Feature"
            out.problem(number, Reason.NOT_AN_OBJECT, detail, text)
            continue
        properties = feature.get("properties")
        if not isinstance(properties, dict):
            detail = f"properties is a JSON {json_type(properties)}, not an object"
            out.problem(number, Reason.NOT_AN_OBJECT, detail, text, field="properties")
            continue
        with_id += id_field in properties
        point = _point(feature.get("geometry"))
        if isinstance(point, str):
            record_id = as_text(properties.get(id_field)).strip() or None
            out.problem(number, Reason.INVALID_GEOMETRY, point, text, record_id, "geometry")
            continue
        out.row(number, {**properties, "lng": point[0], "lat": point[1]}, text)
    if features and not with_id:
        raise DeliveryRejected(file, f"no feature has a {id_field!r} property")
    return text_result(out, decoded)


def _features(file: str, text: str) -> list[Any]:
    try:
        document = loads(text)
    except ValueError as err:
        raise DeliveryRejected(
            file, f"not valid JSON ({err}); a GeoJSON file cut short cannot be read in part"
        ) from err
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise DeliveryRejected(file, "not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise DeliveryRejected(file, "the FeatureCollection has no features array")
    return features


def _point(geometry: object) -> tuple[float, float] | str:
    """The (lng, lat) of a Point geometry, or why there is none."""
    if not isinstance(geometry, dict):
        return f"geometry is a JSON {json_type(geometry)}, not a Point"
    if geometry.get("type") != "Point":
        return f"geometry type is {geometry.get('type')!r}, not 'Point'"
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return f"coordinates {coordinates!r} are not a position"
    lng, lat = coordinates[0], coordinates[1]
    for value in (lng, lat):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return f"coordinates {coordinates!r} are not numbers"
    return float(lng), float(lat)
