"""``hub demo``: the quick start in one command, on the embedded defaults."""

from __future__ import annotations

import time

import click

from hub.cli.audit import create_key
from hub.cli.context import CliContext, pass_cli
from hub.cli.run import run
from hub.generate import GenerateOptions, generate


@click.command()
@click.option("--residents", default=2000, show_default=True, help="Synthetic residents.")
@click.option("--seed", default=1, show_default=True)
@pass_cli
def demo(cli: CliContext, residents: int, seed: int) -> None:
    """Generate a landing folder, create the database and run the whole pipeline on it:
    ingest with quality gates, the grid reference, resolution and publication.

    Safe to run again: the generator is deterministic and already-loaded files are skipped.
    Exits 1, as ``hub run`` does, when a file was rejected or a blocking check failed.
    """
    settings = cli.settings
    settings.ensure_dirs()
    if settings.audit_key is None and not settings.audit_key_file.exists():
        # The demo's own key, beside its database: a production key lives elsewhere.
        click.get_current_context().invoke(create_key, out=settings.audit_key_file)
    truth = settings.var_dir / "truth"
    started = time.perf_counter()
    click.echo(f"generating {residents} residents into {settings.landing_dir} "
               f"(truth files in {truth}) ...")  # fmt: skip
    generate(GenerateOptions(residents=residents, seed=seed, out=settings.landing_dir,
                             truth=truth))  # fmt: skip
    # The same job the Dagster UI runs: ingest + quality gates, grid, resolution, publication.
    click.get_current_context().invoke(run, landing=settings.landing_dir, full=False)
    click.echo(f"done in {time.perf_counter() - started:.1f}s. Next: `hub quality`, `hub grids`, "
               "`hub export quarantine --out var/quarantine.csv`, `hub serve --dev` (GraphiQL at "
               "http://127.0.0.1:8000/graphql).")  # fmt: skip
