"""``hub run``: the whole pipeline graph in this process; ``hub quality``: the latest checks.

``hub run`` materialises the same Dagster job the UI shows (``pipelines``), so the run is
recorded in ``settings.dagster_home`` and visible in ``dagster dev``. Dagster is imported only
when ``hub run`` runs: every other command stays quick to start.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hub.cli.context import CliContext, pass_cli
from hub.pipeline import data_docs_dir, latest_quality_runs
from hub.storage import migrate
from hub.storage.models import QualityRun
from hub.storage.session import make_engine, session_factory

if TYPE_CHECKING:
    from pipelines.runner import RunSummary

SAMPLE_IDS = 3


@click.command(name="run")
@click.option("--landing", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Landing folder (default: HUB_LANDING_DIR, ./var/landing).")  # fmt: skip
@click.option("--full", is_flag=True, help="Re-score every record (as the nightly run does).")
@pass_cli
def run(cli: CliContext, landing: Path | None, full: bool) -> None:
    """Ingest, check, resolve and publish: every asset of the pipeline, once, in-process."""
    settings = cli.settings
    if landing is not None:
        settings = dataclasses.replace(settings, landing_dir=landing.resolve())
    if not settings.landing_dir.is_dir():
        raise click.ClickException(f"landing folder {settings.landing_dir} does not exist")
    settings.ensure_dirs()
    migrate.upgrade(settings.database_url)
    from pipelines.runner import run_all

    summary = run_all(settings, full=full, progress=lambda line: click.echo(line, err=True))
    print_summary(summary, data_docs_dir(settings) / "index.html")
    if not summary.success:
        raise click.ClickException(
            f"run {summary.run_id} failed at {', '.join(summary.failed_steps) or 'start'}; "
            f"the published model is the one before it (see `hub quality`)"
        )


@click.command()
@pass_cli
def quality(cli: CliContext) -> None:
    """The latest result of each quality suite, and where the Data Docs are."""
    engine = make_engine(cli.settings.database_url)
    try:
        with session_factory(engine)() as session:
            runs = latest_quality_runs(session)
            for quality_run in runs:
                click.echo(_quality_lines(quality_run))
    finally:
        engine.dispose()
    if not runs:
        click.echo("no quality runs yet (run `hub run`)")
    index = data_docs_dir(cli.settings) / "index.html"
    click.echo(f"Data Docs: {index}" + ("" if index.exists() else " (not built yet)"))


def print_summary(summary: RunSummary, docs: Path) -> None:
    """Per dataset rows, the publication, and every check's verdict."""
    click.echo(f"run {summary.run_id}: {'succeeded' if summary.success else 'FAILED'}")
    for asset, figures in sorted(summary.datasets.items()):
        click.echo(f"  {asset:<22} {_dataset_line(figures)}")
    if summary.published:
        p = summary.published
        click.echo(f"published: publication {p.get('publication_id')}: {p.get('persons')} persons, "
                   f"{p.get('houses')} houses, {p.get('tags')} tags")  # fmt: skip
    else:
        click.echo("published: unchanged (nothing new was made current)")
    passed = sum(c.passed for c in summary.checks)
    click.echo(f"quality: {len(summary.checks)} checks, {passed} passed")
    for check in summary.checks:
        if not check.passed:
            click.echo(f"  FAILED {check.asset} {check.check} [{check.severity}]")
            for failure in check.failures:
                click.echo("    " + _failure_line(failure))
    click.echo(f"Data Docs: {docs}")


def _dataset_line(figures: dict[str, Any]) -> str:
    if not figures.get("new_deliveries"):
        return "no new deliveries"
    reasons = figures.get("quarantined_by_reason") or {}
    text = (f"{figures['new_deliveries']} new: read {figures['rows_read']}, loaded "
            f"{figures['rows_loaded']}, quarantined {figures['rows_quarantined']}")  # fmt: skip
    if reasons:
        text += " (" + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) + ")"
    return text


def _failure_line(failure: dict[str, Any]) -> str:
    where = f"{failure.get('delivery', '')} ".lstrip()
    column = f"({failure['column']})" if failure.get("column") else ""
    ids = ", ".join(failure.get("failing_record_ids", [])[:SAMPLE_IDS])
    blocking = "blocking " if failure.get("blocking") else ""
    example = f" (e.g. {ids})" if ids else ""
    return (f"{where}{blocking}{failure['expectation']}{column}: "
            f"{failure.get('unexpected_count')} unexpected{example}")  # fmt: skip


def _quality_lines(run: QualityRun) -> str:
    verdict = "ok" if run.success else ("BLOCKED" if run.blocking_failed else "warnings")
    failed = [r for r in run.results if not r.success]
    target = (
        f"delivery {run.delivery_id}" if run.delivery_id else f"publication {run.publication_id}"
    )
    lines = [f"{verdict:<8} {run.suite} ({target}, {run.started_at:%Y-%m-%d %H:%M}): "
             f"{len(run.results)} expectations, {len(failed)} failed"]  # fmt: skip
    for result in failed:
        column = f"({result.column})" if result.column else ""
        ids = ", ".join(str(i) for i in result.failing_record_ids[:SAMPLE_IDS])
        example = f" (e.g. {ids})" if ids else ""
        lines.append(f"  {'blocking ' if result.blocking else ''}{result.expectation}{column}: "
                     f"{result.unexpected_count} unexpected{example}")  # fmt: skip
    return "\n".join(lines)
