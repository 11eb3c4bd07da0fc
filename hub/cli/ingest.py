"""``hub ingest``: load new deliveries from the landing folder and say what became of them.

It runs the ``hub_ingest`` job of the graph: each new file is read, loaded and validated by
its dataset's blocking suite in one transaction, and refused whole when the suite fails (the
dataset keeps its previous snapshot). It publishes nothing: ``hub resolve`` does. A rejected
file makes the command exit with status 1.
"""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.context import CliContext, pass_cli
from hub.cli.run import SNAPSHOTS_KEPT, exit_on_problems, landing_settings, run_pipeline
from hub.cli.summary import delivery_files, print_run
from hub.sources.landing import discover


@click.command()
@click.option("--landing", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Landing folder (default: HUB_LANDING_DIR, ./var/landing).")  # fmt: skip
@click.option("--quiet", is_flag=True, help="Only the summary and the problems.")
@pass_cli
def ingest(cli: CliContext, landing: Path | None, quiet: bool) -> None:
    """Load and check every delivery not loaded yet; print rows read, loaded, quarantined (by
    reason) and not applied, per file. Exit 1 when a file was rejected."""
    from pipelines.jobs import HUB_INGEST

    settings = landing_settings(cli.settings, landing)
    found = discover(settings.landing_dir)
    summary = run_pipeline(settings, HUB_INGEST, quiet=quiet)
    if not quiet:
        for ignored in found.ignored:
            click.echo(f"ignored  {ignored.path}: {ignored.reason}")
        print_run(summary, click.echo, files=True)
    new = delivery_files(summary)
    total = len(found.deliveries)
    click.echo(
        f"{len(new)} new deliveries ({total - len(new)} already loaded): "
        f"{sum(f['rows_read'] for f in new)} rows read = "
        f"{sum(f['rows_loaded'] for f in new)} loaded + "
        f"{sum(f['rows_quarantined'] for f in new)} quarantined + "
        f"{sum(f['rows_not_applied'] for f in new)} not applied"
        + (f"; {sum(f['status'] == 'rejected' for f in new)} rejected"
           if any(f["status"] == "rejected" for f in new) else "")
    )  # fmt: skip
    exit_on_problems(summary, SNAPSHOTS_KEPT)
