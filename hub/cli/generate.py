"""``hub generate``: write synthetic department deliveries and their truth files."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.context import CliContext
from hub.config import load_settings
from hub.generate import GenerateError, GenerateOptions, GenerateReport
from hub.generate import generate as run
from hub.generate.manifest import read_manifest
from hub.generate.options import DEFAULT_DATE

WORLD_PARAMETERS = ("residents", "seed", "date", "noise")


@click.command()
@click.option(
    "--residents",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="People living in the county (334400 for full size).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Landing folder to write (default: HUB_LANDING_DIR, ./var/landing).",
)
@click.option(
    "--truth",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the truth files, never inside the landing folder (default: ./var/truth).",
)
@click.option(
    "--date",
    "date_",
    default=DEFAULT_DATE,
    show_default=True,
    metavar="YYYYMMDD",
    help="Date of the first snapshot.",
)
@click.option(
    "--next-snapshot",
    is_flag=True,
    help="Append the following month's delivery to an existing landing folder.",
)
@click.option(
    "--noise",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Multiplies every noise rate (0: clean files).",
)
@click.pass_context
def generate(
    ctx: click.Context,
    residents: int,
    seed: int,
    out: Path | None,
    truth: Path | None,
    date_: str,
    next_snapshot: bool,
    noise: float,
) -> None:
    """Write a landing folder of department files, as the contract describes them."""
    cli = ctx.find_object(CliContext)
    settings = cli.settings if cli is not None else load_settings()
    options = GenerateOptions(
        residents=residents,
        seed=seed,
        out=out or settings.landing_dir,
        truth=truth or settings.var_dir / "truth",
        date=date_,
        noise=noise,
    )
    try:
        if next_snapshot:
            options = _next_options(ctx, options)
        report = run(options)
    except GenerateError as exc:
        raise click.ClickException(str(exc)) from exc
    _print(report)


def _next_options(ctx: click.Context, given: GenerateOptions) -> GenerateOptions:
    """The manifest's world parameters; any given explicitly must agree with it."""
    options = read_manifest(given.truth).options(given.out, given.truth)
    for name in WORLD_PARAMETERS:
        param = "date_" if name == "date" else name
        explicit = ctx.get_parameter_source(param) is not click.core.ParameterSource.DEFAULT
        if explicit and getattr(given, name) != getattr(options, name):
            raise GenerateError(
                f"--{name} {getattr(given, name)} differs from the landing folder's "
                f"{getattr(options, name)} (leave it out with --next-snapshot)"
            )
    return options


def _print(report: GenerateReport) -> None:
    click.echo(f"snapshot {report.snapshot} ({report.date}) -> {report.out}")
    for f in report.files:
        bad = f"{f.bad_rows} bad" if f.bad_rows else ""
        click.echo(f"  {f.rows:>10,} rows {bad:>8} {_size(f.bytes):>10}  {f.path}")
    click.echo(f"truth -> {report.truth}")
    for f in report.truth_files:
        click.echo(f"  {f.rows:>10,} rows {'':>8} {_size(f.bytes):>10}  {f.path}")
    total = sum(f.bytes for f in report.files)
    click.echo(f"{len(report.files)} files, {_size(total)} in {report.seconds:.1f} s")


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024**2:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024**2:.1f} MB"
