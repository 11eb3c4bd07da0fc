from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.sources.catalog import DOOR_PLATES
from hub.sources.problems import DeliveryRejected
from hub.sources.reading import read_delivery
from tests.sources.files import reasons, write

FILE = "门牌_20261115.geojson"


def plate(record_id: str, **over: Any) -> dict[str, Any]:
    properties = {
        "门牌编码": record_id,
        "地址": "德化县浔中镇浔中村浔中路128号",
        "建筑类型": "住宅",
        "楼层数": 3,
    }
    point = {"type": "Point", "coordinates": [118.2431, 25.4912]}
    feature: dict[str, Any] = {"type": "Feature", "geometry": point, "properties": properties}
    feature.update(over)
    return feature


def collection(features: list[Any]) -> bytes:
    document = {"type": "FeatureCollection", "features": features}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def test_features_become_rows_with_lng_lat(tmp_path: Path) -> None:
    data = collection([plate("MP000000000001"), plate("MP000000000002")])
    result = read_delivery(DOOR_PLATES, write(tmp_path, FILE, data))
    assert reasons(result) == []
    row = result.rows[1]
    assert (row.line, row.record_id) == (2, "MP000000000002")
    assert row.raw == {
        "门牌编码": "MP000000000002",
        "地址": "德化县浔中镇浔中村浔中路128号",
        "建筑类型": "住宅",
        "楼层数": 3,
        "lng": 118.2431,
        "lat": 25.4912,
    }
    assert json.loads(row.text)["properties"]["门牌编码"] == "MP000000000002"


def test_bad_features_are_quarantined_by_index(tmp_path: Path) -> None:
    features = [
        plate("MP000000000001"),
        ["not", "a", "feature"],
        plate("MP000000000003", properties=None),
        plate("MP000000000004", geometry={"type": "LineString", "coordinates": [[1, 2], [3, 4]]}),
        plate("MP000000000005", geometry={"type": "Point", "coordinates": ["118.2", "25.4"]}),
        plate("MP000000000006", geometry=None),
        plate("MP000000000001"),
        plate(""),
        plate("MP000000000009"),
    ]
    result = read_delivery(DOOR_PLATES, write(tmp_path, FILE, collection(features)))
    assert reasons(result) == [
        (2, "not_an_object"),
        (3, "not_an_object"),
        (4, "invalid_geometry"),
        (5, "invalid_geometry"),
        (6, "invalid_geometry"),
        (7, "duplicate_record_id"),
        (8, "missing_record_id"),
    ]
    assert result.problems[2].record_id == "MP000000000004"
    assert result.problems[2].message.startswith(f"{FILE} feature 4: geometry type is")
    assert [r.line for r in result.rows] == [1, 9]


def test_not_a_feature_collection_is_rejected(tmp_path: Path) -> None:
    data = json.dumps(plate("MP000000000001")).encode()
    with pytest.raises(DeliveryRejected, match="FeatureCollection"):
        read_delivery(DOOR_PLATES, write(tmp_path, FILE, data))


def test_a_truncated_geojson_file_is_rejected_as_a_whole(tmp_path: Path) -> None:
    data = collection([plate("MP000000000001"), plate("MP000000000002")])
    with pytest.raises(DeliveryRejected, match="cannot be read in part"):
        read_delivery(DOOR_PLATES, write(tmp_path, FILE, data[: len(data) // 2]))
