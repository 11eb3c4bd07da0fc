"""``python -m evalset generate`` and ``python -m evalset answers``."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import click

from evalset import generate as gen
from evalset.world import Params


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYYMMDD") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """An independent evaluation set for the Dehua hub: landing data, truth, answers."""


@main.command()
@click.option(
    "--residents",
    type=click.IntRange(200, 2_000_000),
    default=None,
    help="About how many people live in the county (default 3000).",
)
@click.option("--seed", type=int, default=None, help="Random seed (default 1).")
@click.option(
    "--noise",
    type=click.FloatRange(0, 10),
    default=None,
    help="Defect rates: 1.0 the usual, 1.5 one and a half times (default 1.0).",
)
@click.option(
    "--date",
    "day",
    default=None,
    help="Snapshot date YYYYMMDD (default 20261130; with --next-snapshot: 30 days after the last).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The landing folder.",
)
@click.option(
    "--truth",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The truth folder (never give it to the hub).",
)
@click.option(
    "--next-snapshot",
    is_flag=True,
    help="Add the next delivery of every dataset to an existing landing + truth.",
)
def generate(
    residents: int | None,
    seed: int | None,
    noise: float | None,
    day: str | None,
    out: Path,
    truth: Path,
    next_snapshot: bool,
) -> None:
    """Write department deliveries that follow the contract, and their truth files."""
    started = time.perf_counter()
    today = _date(day)
    try:
        if next_snapshot:
            outcome = gen.next_snapshot(
                out, truth, today, {"residents": residents, "seed": seed, "noise": noise}
            )
        else:
            params = Params(
                residents=residents or 3000,
                seed=1 if seed is None else seed,
                noise=1.0 if noise is None else noise,
            )
            outcome = gen.first(params, today or date(2026, 11, 30), out, truth)
    except gen.GenerateError as exc:
        raise click.ClickException(str(exc)) from None
    world = outcome.world
    active = sum(1 for p in world.persons if p.active)
    click.echo(
        f"snapshot {world.today:%Y-%m-%d}: {active} residents, "
        f"{sum(1 for h in world.houses if h.ended is None)} houses, "
        f"{len(world.grids)} grids; {len(outcome.written)} files written to {out}; "
        f"truth in {truth} ({time.perf_counter() - started:.1f} s)"
    )


@main.command()
@click.option(
    "--truth",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    required=True,
    help="The truth folder of `evalset generate`.",
)
@click.option(
    "--url",
    required=True,
    help="The hub's GraphQL endpoint, e.g. "
    "http://127.0.0.1:8161/graphql (a server in development mode, or give --token).",
)
@click.option("--token", default=None, help="A bearer token (production mode).")
@click.option(
    "--links",
    "links_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="A `hub export links --kind person` file "
    "(default: run it, with the hub's database from HUB_DATABASE_URL).",
)
@click.option(
    "--operations",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="The published operations (default: schema/operations).",
)
def answers(
    truth: Path, url: str, token: str | None, links_file: Path | None, operations: Path | None
) -> None:
    """Ask the published questions township by township and grid by grid; print precision,
    recall, and the misses and extras by kind."""
    from evalset import answers as checker

    started = time.perf_counter()
    try:
        scores = checker.run(
            truth,
            checker.Client(url=url, token=token),
            links_file,
            operations or checker.default_operations(),
        )
    except checker.AnswersError as exc:
        raise click.ClickException(str(exc)) from None
    for score in scores:
        click.echo("\n".join(score.lines()))
    for note in scores[-1].notes if scores else []:
        click.echo(f"note: {note}")
    click.echo(f"({time.perf_counter() - started:.1f} s)")
