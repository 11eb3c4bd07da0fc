"""The N+1 guard: a page of persons with their houses, grids, tags and facts takes the same
number of SQL statements for 10 persons as for 100, and grid roll-ups one per relation."""

from __future__ import annotations

from tests.schema.conftest import Runner
from tests.schema.world import TOWNSHIP

PAGE = """
query Page($first: Int!) {
  people(first: $first) {
    edges { node {
      entityId name residentId phone tags
      registration { householdNo }
      house { address grid { code } residents { entityId } }
      grid { name parent { name } }
      householdMembers { entityId }
      benefits { category } vaccinations { vaccine } healthGroups { group }
      partyMembership { branch } citizenReports { eventId }
      provenance { field } sourceRecords { recordId }
    } }
  }
}
"""

#: The page, then one batch per relation: tags, house, grid (the person's and the house's
#: together), residents, household, five kinds of facts, provenance, source records; and
#: a second round of the grid loader for the parents.
PAGE_QUERIES = 14


def test_a_page_costs_the_same_whatever_its_size(gql: Runner) -> None:
    counts = {}
    for first in (10, 100):
        data = gql.data(PAGE, {"first": first})
        assert len(data["people"]["edges"]) == first
        counts[first] = gql.queries
    assert counts == {10: PAGE_QUERIES, 100: PAGE_QUERIES}


def test_roll_ups_of_all_children_are_one_query_per_measure(gql: Runner) -> None:
    query = """query($code: String!) { grid(code: $code) {
      residentCount houseCount tagCounts { tag count }
      children { code residentCount houseCount tagCounts { tag count }
        children { code residentCount houseCount } } } }"""
    data = gql.data(query, {"code": TOWNSHIP[:6]})
    assert data["grid"] is None
    gql.data(query, {"code": TOWNSHIP})
    # grid, children, grandchildren, and per level length: residents, houses, tags
    assert gql.queries == 3 + 3 + 3 + 2
