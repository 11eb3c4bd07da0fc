"""``hub ingest``: load new deliveries from the landing folder and say what became of them."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.context import CliContext, pass_cli
from hub.ingest.service import DeliveryReport, IngestOptions, IngestReport, ingest_landing
from hub.sources.landing import DeliveryFile
from hub.storage import migrate
from hub.storage.session import make_engine, session_factory


@click.command()
@click.option("--landing", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Landing folder (default: HUB_LANDING_DIR, ./var/landing).")  # fmt: skip
@click.option("--quiet", is_flag=True, help="Only the summary line.")
@pass_cli
def ingest(cli: CliContext, landing: Path | None, quiet: bool) -> None:
    """Load every delivery not loaded yet; print rows read, loaded and quarantined by reason."""
    landing = landing or cli.settings.landing_dir
    if not landing.is_dir():
        raise click.ClickException(f"landing folder {landing} does not exist")
    report = run_ingest(cli, landing, quiet=quiet)
    if any(not d.reconciles for d in report.deliveries):
        raise click.ClickException("a delivery did not reconcile (see above)")


def run_ingest(cli: CliContext, landing: Path, *, quiet: bool = False) -> IngestReport:
    cli.settings.ensure_dirs()
    migrate.upgrade(cli.settings.database_url)
    engine = make_engine(cli.settings.database_url)
    try:

        def progress(item: DeliveryFile, index: int, total: int) -> None:
            if not quiet:
                click.echo(f"[{index + 1}/{total}] {item.dataset.source}/{item.path.name} ...",
                           err=True)  # fmt: skip

        options = IngestOptions(workers=cli.settings.ingest_workers)
        report = ingest_landing(
            session_factory(engine), landing, progress=progress, options=options
        )
    finally:
        engine.dispose()
    print_report(report, quiet=quiet)
    return report


def print_report(report: IngestReport, *, quiet: bool = False) -> None:
    for ignored in report.ignored:
        if not quiet:
            click.echo(f"ignored  {ignored.path}: {ignored.reason}")
    for d in report.deliveries:
        if not quiet:
            click.echo(_line(d))
    new = report.new
    click.echo(
        f"{len(new)} new deliveries ({len(report.deliveries) - len(new)} already loaded): "
        f"{sum(d.rows_read for d in new)} rows read, {sum(d.rows_loaded for d in new)} loaded, "
        f"{sum(d.rows_quarantined for d in new)} quarantined, "
        f"{sum(d.rows_not_applied for d in new)} not applied (late)"
    )
    if report.grid is not None:
        levels = ", ".join(f"{n} {level}" for level, n in report.grid.grids.items())
        click.echo(f"grid reference: {levels}; {report.grid.buildings} buildings assigned")
        for problem in report.grid.problems[:20]:
            click.echo(f"  grid: {problem}")


def _line(d: DeliveryReport) -> str:
    where = f"{d.dataset:<22} {d.file}"
    if d.status is None:
        return f"skipped  {where}: already loaded"
    if d.error is not None:
        return f"REJECTED {where}: {d.error}"
    text = (
        f"{d.status.value:<8} {where}: read {d.rows_read}, loaded {d.rows_loaded}, "
        f"quarantined {d.rows_quarantined}"
    )
    if d.rows_not_applied:
        text += f", not applied {d.rows_not_applied} (older than the current snapshot)"
    if d.quarantined_by_reason:
        text += (
            " (" + ", ".join(f"{k} {v}" for k, v in sorted(d.quarantined_by_reason.items())) + ")"
        )
    if d.snapshot is not None:
        s = d.snapshot
        text += (
            f"; records new {s.new}, changed {s.changed}, unchanged {s.unchanged}, ended {s.ended}"
        )
    if d.field_issues_by_code:
        text += "; field issues: " + ", ".join(
            f"{k} {v}" for k, v in sorted(d.field_issues_by_code.items())
        )
    if not d.reconciles:
        text += "  <-- DOES NOT RECONCILE"
    return text
