"""``hub run``: the whole pipeline graph in this process; ``hub quality``: the latest checks.

``hub run`` (like ``hub ingest``, ``hub resolve`` and ``hub demo``) runs a job of the Dagster
graph the UI shows (:mod:`pipelines.jobs`), with the blocking checks of its assets, so the run
is recorded in ``settings.dagster_home`` and visible in ``dagster dev``; there is no other way
to publish. A rejected file, a failed blocking check or a failed step makes the command exit
with status 1 after one line per problem on stderr (cron sends it). Dagster is imported only
when a job runs: every other command stays quick to start.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hub.cli.context import CliContext, pass_cli
from hub.cli.summary import SAMPLE_IDS, print_run, problems
from hub.config import Settings
from hub.pipeline import data_docs_dir, latest_quality_runs
from hub.storage import migrate
from hub.storage.models import QualityRun

if TYPE_CHECKING:
    from pipelines.runner import RunSummary


@click.command(name="run")
@click.option("--landing", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Landing folder (default: HUB_LANDING_DIR, ./var/landing).")  # fmt: skip
@click.option("--full", is_flag=True, help="Re-score every record (as the nightly run does).")
@pass_cli
def run(cli: CliContext, landing: Path | None, full: bool) -> None:
    """Ingest, check, resolve and publish: every asset of the pipeline, once, in-process."""
    from pipelines.jobs import HUB_ALL

    settings = landing_settings(cli.settings, landing)
    summary = run_pipeline(settings, HUB_ALL, full=full)
    print_run(summary, click.echo)
    click.echo(f"Data Docs: {data_docs_dir(settings) / 'index.html'}")
    exit_on_problems(summary, PUBLISHED_BEFORE)


#: What stays true after a run with problems.
PUBLISHED_BEFORE = "the published model is the one before this run (see `hub quality`)"
SNAPSHOTS_KEPT = "a rejected file's dataset keeps its previous snapshot (see `hub quality`)"


def landing_settings(settings: Settings, landing: Path | None) -> Settings:
    """``settings`` with ``landing`` as the landing folder, which must exist."""
    if landing is not None:
        settings = dataclasses.replace(settings, landing_dir=landing.resolve())
    if not settings.landing_dir.is_dir():
        raise click.ClickException(f"landing folder {settings.landing_dir} does not exist")
    return settings


def run_pipeline(
    settings: Settings, job: str, *, full: bool = False, quiet: bool = False
) -> RunSummary:
    """Migrate the database, then run ``job`` of the graph with its progress on stderr."""
    settings.ensure_dirs()
    migrate.upgrade(settings.database_url)
    from pipelines.runner import run_job

    def progress(line: str) -> None:
        if not quiet:
            click.echo(line, err=True)

    return run_job(settings, job, full=full, progress=progress)


def exit_on_problems(summary: RunSummary, after: str) -> None:
    """Exit 1 after one line per problem on stderr, and ``after``, if the run had any."""
    found = problems(summary)
    for line in found:
        click.echo(f"error: {line}", err=True)
    if found:
        click.echo(after, err=True)
        raise SystemExit(1)


@click.command()
@pass_cli
def quality(cli: CliContext) -> None:
    """The latest result of each quality suite, and where the Data Docs are."""
    with cli.session() as session:
        runs = latest_quality_runs(session)
        for quality_run in runs:
            click.echo(_quality_lines(quality_run))
    if not runs:
        click.echo("no quality runs yet (run `hub run`)")
    index = data_docs_dir(cli.settings) / "index.html"
    click.echo(f"Data Docs: {index}" + ("" if index.exists() else " (not built yet)"))


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
