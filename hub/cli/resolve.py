"""``hub resolve``, ``hub export links`` and ``hub evaluate``."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from sqlalchemy import select

from hub.cli.context import CliContext, pass_cli
from hub.cli.run import PUBLISHED_BEFORE, exit_on_problems, run_pipeline
from hub.cli.summary import print_run
from hub.resolution.evaluation import pairwise_scores, read_truth
from hub.resolution.records import PERSON_DATASETS
from hub.storage.models import EntityKind, RecordLink


@click.command()
@click.option("--full", is_flag=True, help="Score every record again, not only new/changed ones.")
@pass_cli
def resolve(cli: CliContext, full: bool) -> None:
    """Link records to persons and houses and publish golden records, if the publication
    suite passes (the ``hub_publish`` job of the graph). Exit 1 when it refuses the build."""
    from pipelines.jobs import HUB_PUBLISH

    summary = run_pipeline(cli.settings, HUB_PUBLISH, full=full)
    built = summary.publication
    if built:
        counts = built.get("counts") or {}
        click.echo(
            f"{built.get('resolution')} resolution: {counts.get('records', 0)} person records -> "
            f"{counts.get('persons', 0)} persons ({counts.get('persons_new', 0)} new, "
            f"{counts.get('persons_merged', 0)} merged, {counts.get('persons_ended', 0)} ended); "
            f"{counts.get('houses', 0)} houses"
        )
        click.echo("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if "." in k))
    print_run(summary, click.echo)
    exit_on_problems(summary, PUBLISHED_BEFORE)


@click.command(name="links")
@click.option("--kind", type=click.Choice([k.value for k in EntityKind]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_cli
def export_links(cli: CliContext, kind: str, out: Path) -> None:
    """Write source,record_id,entity_id for every linked record."""
    with cli.session() as session:
        rows = session.execute(
                select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id,
                       RecordLink.rule, RecordLink.precision)
                .where(RecordLink.kind == EntityKind(kind))
                .order_by(RecordLink.dataset, RecordLink.record_id)
        ).all()  # fmt: skip
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
    files = {kind: truth / f"{kind.value}s.csv" for kind in EntityKind}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if not truth.is_dir():
        raise click.ClickException(f"truth folder {truth} does not exist (`hub generate "
                                   "--truth DIR` writes one)")  # fmt: skip
    if missing:
        raise click.ClickException(f"truth folder {truth} lacks {', '.join(missing)}")
    with cli.session() as session:
        links = {
            kind: {f"{d}:{r}": e for d, r, e in session.execute(
                select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id)
                .where(RecordLink.kind == kind))}
            for kind in EntityKind
        }  # fmt: skip
    for label, kind, column in (("persons", EntityKind.PERSON, "person_key"),
                                ("houses", EntityKind.HOUSE, "house_key"),
                                ("buildings", EntityKind.HOUSE, "building_key")):  # fmt: skip
        _require_columns(files[kind], ("dataset", "record_id", column))
        truth_map = read_truth(files[kind], column)
        if kind is EntityKind.PERSON:  # reporters of 随手拍 are linked by phone, as a fact
            truth_map = {u: k for u, k in truth_map.items()
                         if u.split(":", 1)[0] in PERSON_DATASETS}  # fmt: skip
        found = links[kind]
        if column == "house_key":  # a link to a building only does not name a house
            found = {u: e for u, e in found.items() if e.startswith("H")}
        elif column == "building_key":
            found = {u: (e[1:17] if e.startswith("H") else e[1:]) for u, e in found.items()}
        # A record the truth places but the hub did not link counts as a cluster of its own,
        # so missing links lower recall instead of vanishing from the comparison.
        predicted = {u: found.get(u, f"unlinked:{u}") for u in truth_map}
        click.echo(f"{label + ':':<11}{pairwise_scores(predicted, truth_map).describe()}")


def _require_columns(path: Path, columns: tuple[str, ...]) -> None:
    """One line unless ``path`` is a UTF-8 CSV whose header has ``columns``."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not a truth file: not UTF-8 text") from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise click.ClickException(
            f"{path} is not a truth file: no column {', '.join(missing)} in its header"
        )
