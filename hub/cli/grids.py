"""``hub grids``: the grid reference as it is loaded, so a person can find the code to ask for
(a township is 9 digits, a first-level grid 12, a unit grid 15, a responsibility grid 17)."""

from __future__ import annotations

import click
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from hub.cli.context import CliContext, pass_cli
from hub.storage.models import Grid, GridLevel

LEVELS = {"township": GridLevel.TOWNSHIP, "first": GridLevel.FIRST, "unit": GridLevel.UNIT,
          "responsibility": GridLevel.RESPONSIBILITY}  # fmt: skip


@click.command()
@click.option(
    "--level",
    type=click.Choice(list(LEVELS)),
    default=None,
    help="Only this level (default: townships, or the children of --parent).",
)
@click.option("--parent", "parent", default=None, help="Only the grids directly under this code.")
@click.option("--include-ended", is_flag=True, help="Also grids a newer reference dropped.")
@pass_cli
def grids(cli: CliContext, level: str | None, parent: str | None, include_ended: bool) -> None:
    """Grid codes and names by level: code, name, level and how many grids it contains."""
    child = aliased(Grid)
    children = (
        select(func.count()).where(child.parent_code == Grid.code, child.ended_on.is_(None))
        .correlate(Grid).scalar_subquery()
    )  # fmt: skip
    stmt = select(Grid.code, Grid.name, Grid.level, Grid.ended_on, children).order_by(Grid.code)
    if parent is not None:
        stmt = stmt.where(Grid.parent_code == parent)
    if level is not None or parent is None:
        stmt = stmt.where(Grid.level == LEVELS[level or "township"])
    if not include_ended:
        stmt = stmt.where(Grid.ended_on.is_(None))
    with cli.session() as session:
        if parent is not None and session.get(Grid, parent) is None:
            raise click.ClickException(f"no grid has the code {parent} (`hub grids` lists them)")
        rows = session.execute(stmt).all()
        loaded = session.scalar(select(func.count()).select_from(Grid))
    if not loaded:
        raise click.ClickException("no grid reference is loaded yet: run `hub run` (or `hub demo`)")
    for code, name, grid_level, ended, inside in rows:
        ended_note = f"  (ended {ended:%Y-%m-%d})" if ended else ""
        contains = f"  {inside} grids" if inside else ""
        click.echo(f"{code:<17}  {name}  [{grid_level}]{contains}{ended_note}")
    click.echo(f"{len(rows)} grids; `--parent CODE` lists one's children, `--level "
               "township|first|unit|responsibility` a whole level", err=True)  # fmt: skip
