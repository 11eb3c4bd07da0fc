"""Which engine runs Splink's candidate pairs and scores: DuckDB in this process (the default),
or Spark (local, or a cluster) where one machine is not enough.

Chosen once, in :mod:`hub.config` (``HUB_MATCH_BACKEND=duckdb|spark``), and handed down as a
:class:`MatchBackend`; person matching asks it for a Splink database API and for the model's
settings in that engine's SQL::

    backend = MatchBackend.from_settings(settings)
    linker = Linker(table, backend.model_settings(model.settings), db_api=backend.database_api())

The trained model is stored in DuckDB's SQL (it is trained on DuckDB). For Spark, its custom
comparison conditions and blocking rules are translated with sqlglot, Splink's fuzzy-match
functions renamed to those of Splink's Spark UDF jar (``jaro_winkler_similarity`` ->
``jaro_winkler``). pyspark comes with the optional extra ``spark`` and needs Java 17.
"""

from __future__ import annotations

import copy
import enum
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from splink.internals.database_api import DatabaseAPISubClass

    from hub.config import Settings


class MatchEngine(enum.StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


@dataclass(frozen=True)
class SparkOptions:
    """How the hub starts (or joins) a Spark session. ``master`` is a Spark master URL:
    ``local[2]`` in this process, ``spark://host:7077`` or ``yarn`` on a cluster."""

    master: str = "local[2]"
    shuffle_partitions: int = 8
    checkpoint_dir: Path = Path("var/spark/checkpoints")  # shared storage on a cluster
    #: How Splink cuts Spark's lineage between steps: "persist" (memory, one machine) or
    #: "parquet" (files in checkpoint_dir: what a cluster on big inputs needs).
    break_lineage: str = "persist"
    conf: tuple[tuple[str, str], ...] = ()  # further spark.* settings


@dataclass(frozen=True)
class MatchBackend:
    """The engine Splink runs on; DuckDB unless configured otherwise."""

    engine: MatchEngine = MatchEngine.DUCKDB
    spark: SparkOptions = field(default_factory=SparkOptions)

    @classmethod
    def from_settings(cls, settings: Settings) -> MatchBackend:
        spark = SparkOptions(master=settings.spark_master,
                             checkpoint_dir=settings.spark_checkpoint_dir)  # fmt: skip
        return cls(MatchEngine(settings.match_backend), spark)

    def database_api(self) -> DatabaseAPISubClass:
        """A fresh Splink database API on the engine (Spark: on the one session per process)."""
        if self.engine is MatchEngine.DUCKDB:
            from splink import DuckDBAPI

            return DuckDBAPI()
        return _spark_api(spark_session(self.spark), self.spark.break_lineage)

    def model_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Splink settings (as saved from a DuckDB linker) in this engine's SQL."""
        if self.engine is MatchEngine.DUCKDB:
            return copy.deepcopy(settings)
        return to_dialect(settings, "spark")


def spark_session(options: SparkOptions) -> Any:
    """The process's Spark session, started with Splink's similarity UDF jar; quiet logs.

    ImportError naming the extra when pyspark is not installed."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise ImportError(
            "HUB_MATCH_BACKEND=spark needs pyspark: pip install -e '.[spark]' (and Java 17)"
        ) from error
    from splink.backends.spark import similarity_jar_location

    builder = (
        SparkSession.builder.master(options.master)
        .appName("dehua-hub-matching")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(options.shuffle_partitions))
        .config("spark.default.parallelism", str(options.shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if options.master.startswith("local"):  # one machine: Spark talks to itself on loopback
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    for key, value in options.conf:
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    options.checkpoint_dir.mkdir(parents=True, exist_ok=True)
    session.sparkContext.setCheckpointDir(str(options.checkpoint_dir))
    return session


def _spark_api(session: Any, break_lineage: str) -> DatabaseAPISubClass:
    """Splink's Spark API, registering pandas frames with a schema of their own dtypes.

    Splink hands pandas frames to ``createDataFrame``, which infers types from the values and
    fails on a column with none (a small frame whose phones are all missing), and Spark has no
    unsigned 64-bit type for the profile hashes: those go over as text, the rest as they are.
    """
    import pandas as pd
    from pyspark.sql import types
    from splink.backends.spark import SparkAPI

    def schema_of(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
        fields, out = [], {}
        for name, column in frame.items():
            kind: Any = types.StringType()
            if pd.api.types.is_bool_dtype(column.dtype):
                kind = types.BooleanType()
            elif pd.api.types.is_float_dtype(column.dtype):
                kind = types.DoubleType()
            elif pd.api.types.is_signed_integer_dtype(column.dtype):
                kind = types.LongType()
            if isinstance(kind, types.StringType):
                column = column.astype(object).where(column.notna(), None)
                column = column.map(lambda v: v if v is None else str(v))
            fields.append(types.StructField(str(name), kind, nullable=True))
            out[str(name)] = column
        return pd.DataFrame(out, index=frame.index), types.StructType(fields)

    class TypedSparkAPI(SparkAPI):
        def _table_registration(self, input: Any, table_name: str) -> None:
            if isinstance(input, pd.DataFrame):
                frame, schema = schema_of(input)
                input = self.spark.createDataFrame(frame, schema=schema)
            super()._table_registration(input, table_name)

    return TypedSparkAPI(spark_session=session, break_lineage_method=break_lineage)


#: DuckDB's names of Splink's fuzzy-match functions -> the Spark UDF jar's.
_SPARK_FUNCTIONS = {
    "jaro_winkler_similarity": "jaro_winkler",
    "jaro_similarity": "jaro_sim",
}


def to_dialect(settings: dict[str, Any], dialect: str) -> dict[str, Any]:
    """``settings`` with every SQL condition and blocking rule translated from DuckDB."""
    if dialect != "spark":
        raise ValueError(f"no translation of the person model to {dialect!r}")
    out = copy.deepcopy(settings)
    out["sql_dialect"] = dialect
    for comparison in out.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = translate(level["sql_condition"])
    for rule in out.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, dict):
            rule["blocking_rule"] = translate(rule["blocking_rule"])
            rule["sql_dialect"] = dialect
        else:
            raise ValueError(f"blocking rule without its dialect: {rule!r}")
    return out


def translate(sql: str) -> str:
    """One DuckDB condition in Spark SQL."""
    import sqlglot

    if sql.strip().upper() == "ELSE":
        return sql
    for duck, spark in _SPARK_FUNCTIONS.items():
        sql = re.sub(rf"\b{duck}\s*\(", f"{spark}(", sql, flags=re.IGNORECASE)
    return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])
