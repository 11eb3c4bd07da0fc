"""The committed SDL matches the code (CI runs ``python -m schema.export --check``)."""

from __future__ import annotations

from pathlib import Path

from schema import export


def test_the_committed_sdl_matches_the_code() -> None:
    drift = export.sdl_drift()
    assert drift == "", f"run `python -m schema.export`:\n{drift}"


def test_check_reports_drift_with_a_diff(tmp_path: Path, capsys: object) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text(export.render_sdl().replace("type Person implements", "type Human implements"))
    assert export.main(["--check", "--path", str(stale)]) == 1
    assert export.main(["--path", str(stale)]) == 0
    assert export.main(["--check", "--path", str(stale)]) == 0
    assert stale.read_text() == export.render_sdl()


def test_production_schema_refuses_introspection_development_allows_it() -> None:
    from schema.root import build_schema

    query = "{ __schema { queryType { name } } }"
    assert build_schema().execute_sync(query).errors is not None
    assert build_schema(development=True).execute_sync(query).data == {
        "__schema": {"queryType": {"name": "Query"}}
    }


def test_every_example_operation_validates_against_the_schema() -> None:
    from graphql import parse, validate

    from schema.root import build_schema

    schema = build_schema()._schema
    operations = sorted((Path(export.__file__).parent / "operations").glob("*.graphql"))
    assert operations
    for path in operations:
        assert validate(schema, parse(path.read_text(encoding="utf-8"))) == [], path.name
