"""The match backend: chosen by configuration, the person model translated to Spark SQL, and
Splink on Spark (local mode) giving the same pairs and persons as on DuckDB."""

from __future__ import annotations

import importlib.util
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from hub.config import load_settings
from hub.generate import GenerateOptions, generate
from hub.ingest.service import ingest_landing
from hub.resolution.backends import MatchBackend, MatchEngine, SparkOptions, to_dialect, translate
from hub.resolution.persons import Constraints, PersonModel, cluster, load_model, score_pairs
from hub.resolution.records import load_person_records_for_linkage
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory

SPARK_MISSING = (
    "needs Java (17) on PATH" if shutil.which("java") is None
    else "needs pyspark: pip install -e '.[spark]'" if importlib.util.find_spec("pyspark") is None
    else None
)  # fmt: skip
#: pyspark 4.2 warns that it does not "fully support" pandas 3, and calls pandas with a keyword
#: pandas 3 deprecates; the results below are what is compared.
PANDAS_3 = "ignore:PySpark does not yet fully support pandas:FutureWarning"
PANDAS_3_COPY = "ignore:The copy keyword is deprecated:pandas.errors.Pandas4Warning"


def test_the_backend_is_read_once_from_the_environment(tmp_path: Path) -> None:
    default = load_settings({}, cwd=tmp_path)
    assert MatchBackend.from_settings(default).engine is MatchEngine.DUCKDB
    spark = load_settings({"HUB_MATCH_BACKEND": "Spark", "HUB_SPARK_MASTER": "spark://m:7077",
                           "HUB_SPARK_CHECKPOINT_DIR": "ckpt"}, cwd=tmp_path)  # fmt: skip
    backend = MatchBackend.from_settings(spark)
    assert backend.engine is MatchEngine.SPARK
    assert backend.spark.master == "spark://m:7077"
    assert backend.spark.checkpoint_dir == tmp_path.resolve() / "ckpt"
    with pytest.raises(ValueError, match=r"HUB_MATCH_BACKEND='sqlite': expected one of duckdb"):
        load_settings({"HUB_MATCH_BACKEND": "sqlite"}, cwd=tmp_path)


def test_the_model_is_translated_to_spark_sql() -> None:
    assert translate("jaro_winkler_similarity(name_pinyin_l, name_pinyin_r) >= 0.9") == (
        "JARO_WINKLER(name_pinyin_l, name_pinyin_r) >= 0.9"  # the UDF jar's name
    )
    assert translate('"name_l" IS NULL OR "name_r" IS NULL') == (
        "`name_l` IS NULL OR `name_r` IS NULL"
    )
    assert translate("split_part(address_key_l, '|', 2) = ''") == (
        "SPLIT_PART(address_key_l, '|', 2) = ''"
    )
    assert translate("ELSE") == "ELSE"
    model = load_model()
    spark = to_dialect(model.settings, "spark")
    assert spark["sql_dialect"] == "spark" and model.settings["sql_dialect"] == "duckdb"
    rules = spark["blocking_rules_to_generate_predictions"]
    assert {r["sql_dialect"] for r in rules} == {"spark"}
    conditions = [
        lvl["sql_condition"] for c in spark["comparisons"] for lvl in c["comparison_levels"]
    ]
    assert not [c for c in conditions if "jaro_winkler_similarity" in c or '"' in c]
    assert MatchBackend().model_settings(model.settings) == model.settings
    with pytest.raises(ValueError, match="no translation"):
        to_dialect(model.settings, "sqlite")


# -- Splink on Spark ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The person records of a small generated county, as linkage reads them."""
    base = tmp_path_factory.mktemp("county")
    generate(GenerateOptions(residents=500, seed=11, out=base / "landing", truth=base / "truth"))
    url = f"sqlite:///{base / 'hub.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    ingest_landing(session_factory(engine), base / "landing")
    with session_factory(engine)() as session:
        records = load_person_records_for_linkage(session)
    engine.dispose()
    return records


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatchBackend]:
    if SPARK_MISSING:
        pytest.skip(SPARK_MISSING)
    from hub.resolution.backends import spark_session

    options = SparkOptions(master="local[2]", shuffle_partitions=2,
                           checkpoint_dir=tmp_path_factory.mktemp("spark"))  # fmt: skip
    logging.getLogger("py4j").setLevel(logging.ERROR)
    session = spark_session(options)
    yield MatchBackend(MatchEngine.SPARK, options)
    session.stop()


@pytest.mark.slow
@pytest.mark.filterwarnings(PANDAS_3)
@pytest.mark.filterwarnings(PANDAS_3_COPY)
def test_spark_gives_the_links_duckdb_gives(county: pd.DataFrame, spark: MatchBackend) -> None:
    model: PersonModel = load_model()
    logging.getLogger("splink").setLevel(logging.ERROR)
    on_duckdb = score_pairs(county, model)
    on_spark = score_pairs(county, model, backend=spark)

    assert len(on_duckdb) > 100
    keys = ["uid_l", "uid_r"]
    assert on_spark[keys].equals(on_duckdb[keys])  # the same candidate pairs, in one order
    evidence = [c for c in on_duckdb.columns if c.startswith("gamma_")]
    differ = on_spark[evidence].astype("int64") != on_duckdb[evidence].astype("int64")
    # Splink's Spark UDF jar (Apache Commons Text) and DuckDB compute Jaro-Winkler a little
    # differently ('lian si yan' / 'lian yi nuo': 0.894 and 0.905): only the name's
    # 'similar pinyin' level (JW >= 0.9) may differ, and it changes no link below.
    assert not differ.drop(columns="gamma_name").to_numpy().any()
    levels = set(zip(on_duckdb.loc[differ["gamma_name"], "gamma_name"],
                     on_spark.loc[differ["gamma_name"], "gamma_name"], strict=True))  # fmt: skip
    assert levels <= {(1, 0), (0, 1)}, levels
    gap = (on_spark["match_probability"] - on_duckdb["match_probability"]).abs()
    assert gap.max() < 1e-6
    same = ~differ["gamma_name"]
    assert (on_spark["match_weight"] - on_duckdb["match_weight"]).abs()[same].max() < 1e-9

    linked = {
        name: cluster(county, pairs, Constraints(), model).cluster_of
        for name, pairs in (("duckdb", on_duckdb), ("spark", on_spark))
    }
    assert linked["spark"] == linked["duckdb"]
    assert len(set(linked["duckdb"].values())) < len(county)  # some records did link
