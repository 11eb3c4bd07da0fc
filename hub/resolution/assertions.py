"""What grid workers assert about identity: an entry about a known resident belongs to them.

An update, a move or a death report names the person it is about. That is a must-link, like
a steward's "same person": the entry joins the person's records whatever its own values say
(a new phone, a new house). The link is made to one record the person had when the run
started, so it follows that record if a steward later splits the person.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.resolution.ids import resolve_redirect
from hub.resolution.neighbourhood import absorbed, links_of
from hub.resolution.persons import Constraints
from hub.resolution.records import uid
from hub.sources import catalog
from hub.storage.models import SourceRecord


def entry_constraints(
    session: Session, previous: Mapping[str, str] | None, redirects: Mapping[str, str]
) -> Constraints:
    """Must-links from each current entry that names a person to that person's smallest
    record uid in ``previous`` (uid -> person id of the last run; ``redirects`` followed).
    ``previous=None``: the links of the named persons are read from the database."""
    target = SourceRecord.fields["person_id"].as_string()
    rows = session.execute(
        select(SourceRecord.record_id, target).where(
            SourceRecord.dataset == catalog.ENTRIES_KEY,
            SourceRecord.valid_to.is_(None),
            target.is_not(None),
        )
    ).all()
    if not rows:
        return Constraints()
    if previous is None:
        named = {resolve_redirect(p, redirects) for _, p in rows}
        previous = links_of(session, named, absorbed(redirects))
    anchors: dict[str, str] = {}
    for record, person in sorted(previous.items()):
        anchors.setdefault(resolve_redirect(person, redirects), record)
    links: list[tuple[str, str]] = []
    for record_id, person_id in rows:
        entry = uid(catalog.ENTRIES_KEY, record_id)
        anchor = anchors.get(resolve_redirect(person_id, redirects))
        if anchor is not None and anchor != entry:
            links.append((anchor, entry))
    return Constraints(must_link=tuple(sorted(links)))


def combined(*parts: Constraints) -> Constraints:
    """Several sets of constraints as one (must-links first as given, cannot-links merged)."""
    must = tuple(pair for part in parts for pair in part.must_link)
    cannot = tuple(sorted({pair for part in parts for pair in part.cannot_link}))
    return Constraints(must_link=must, cannot_link=cannot)
