"""``hub resolve``, ``hub export links`` and ``hub evaluate``."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from sqlalchemy import select

from hub.cli.context import CliContext, pass_cli
from hub.resolution.evaluation import pairwise_scores, read_truth
from hub.resolution.run import resolve as run_resolution
from hub.storage import migrate
from hub.storage.models import EntityKind, RecordLink
from hub.storage.session import make_engine, session_factory, transaction


@click.command()
@click.option("--full", is_flag=True, help="Score every record again, not only new/changed ones.")
@pass_cli
def resolve(cli: CliContext, full: bool) -> None:
    """Link records to persons and houses and publish golden records."""
    migrate.upgrade(cli.settings.database_url)
    engine = make_engine(cli.settings.database_url)
    try:
        with transaction(session_factory(engine)) as session:
            report = run_resolution(session, full=full, progress=lambda m: click.echo(m, err=True))
    finally:
        engine.dispose()
    counts = report.counts
    click.echo(
        f"{report.kind} resolution (run {report.run_id}): {counts['records']} person records -> "
        f"{counts['persons']} persons ({counts['persons_new']} new, {counts['persons_merged']} "
        f"merged, {counts['persons_ended']} ended); {counts['houses']} houses"
    )
    click.echo("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if "." in k))
    click.echo("  seconds: " + ", ".join(f"{k} {v}" for k, v in report.seconds.items()))


@click.command(name="links")
@click.option("--kind", type=click.Choice([k.value for k in EntityKind]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_cli
def export_links(cli: CliContext, kind: str, out: Path) -> None:
    """Write source,record_id,entity_id for every linked record."""
    engine = make_engine(cli.settings.database_url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id,
                       RecordLink.rule, RecordLink.precision)
                .where(RecordLink.kind == EntityKind(kind))
                .order_by(RecordLink.dataset, RecordLink.record_id)
            ).all()  # fmt: skip
    finally:
        engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "record_id", "entity_id", "rule", "precision"])
        writer.writerows(rows)
    click.echo(f"{len(rows)} {kind} links written to {out}")


@click.command()
@click.option("--truth", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="A generator's truth folder (persons.csv, houses.csv).")  # fmt: skip
@pass_cli
def evaluate(cli: CliContext, truth: Path) -> None:
    """Pairwise precision, recall and F1 of the published links against truth files."""
    engine = make_engine(cli.settings.database_url)
    try:
        with session_factory(engine)() as session:
            links = {
                kind: {f"{d}:{r}": e for d, r, e in session.execute(
                    select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id)
                    .where(RecordLink.kind == kind))}
                for kind in EntityKind
            }  # fmt: skip
    finally:
        engine.dispose()
    persons = pairwise_scores(links[EntityKind.PERSON], read_truth(truth / "persons.csv",
                                                                   "person_key"))  # fmt: skip
    click.echo(f"persons: {persons.describe()}")
    house_links = {u: e for u, e in links[EntityKind.HOUSE].items() if e.startswith("H")}
    houses = pairwise_scores(house_links, read_truth(truth / "houses.csv", "house_key"))
    click.echo(f"houses:  {houses.describe()}")
    building_of = {u: (e[1:17] if e.startswith("H") else e[1:]) for u, e in
                   links[EntityKind.HOUSE].items()}  # fmt: skip
    buildings = pairwise_scores(building_of, read_truth(truth / "houses.csv", "building_key"))
    click.echo(f"buildings: {buildings.describe()}")
