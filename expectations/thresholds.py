"""The numbers the suites judge by, each with the reason it is what it is.

A *rate* is the share of rows that must pass (GX ``mostly``); a *max* is a ceiling on a share.
Rates are set from what the departments' exports look like on a normal day (see the quirks in
``shared/contracts/README.md`` and the generator's ``NoiseRates``) plus a margin, so that a
normal delivery passes and a broken export does not.
"""

from __future__ import annotations

import datetime as dt

from hub.sources import catalog

# -- deliveries --------------------------------------------------------------------------------

#: Blocking. Normal exports quarantine well under 1% of rows (a truncated last line, a few
#: duplicate or malformed ids). Above 5% the export itself changed (a new column, another
#: encoding, a shifted header), and applying it would end every unreadable record as "absent":
#: people would vanish from the published model.
MAX_QUARANTINE_RATE = 0.05

#: The rate is judged only when more rows than this were quarantined. A changed export breaks
#: rows by the hundred; a handful of bad lines (a truncated last line, a duplicate id) in a
#: small file, such as a township's short assistance roll, is ordinary dirt, however large a
#: share of a 50-row file it is.
QUARANTINE_NOISE_ROWS = 10

# -- source records ----------------------------------------------------------------------------

#: Blocking. Share of non-empty resident IDs that are valid (or legacy IDs upgraded). Below
#: these rates matching on IDs fails for so many records that the published model would split
#: people into duplicates. Public security is the ID authority (about 0.1% typos); civil
#: affairs types IDs by hand into Excel, which mangles about 4-5% of them (3.50526E+17, a
#: dropped X); the other departments copy IDs from cards (under 1% bad).
RESIDENT_ID_VALID_RATE: dict[str, float] = {
    catalog.POPULATION.key: 0.98,
    catalog.ASSISTANCE.key: 0.85,
    catalog.VACCINATIONS.key: 0.95,
    catalog.HEALTH_GROUPS.key: 0.95,
    catalog.PARTY_MEMBERS.key: 0.95,
}

#: Warning. Delivered sex, when present, is 男 or 女. Clerks leave it empty (fine) but rarely
#: write anything else; more than 1% of other values means a shifted or re-coded column.
SEX_VALID_RATE = 0.99

#: Warning. Delivered phone numbers, when present, are a mobile or a landline. Typed numbers
#: lose a digit now and then (about 0.5%); a few percent means a broken column.
PHONE_VALID_RATE = 0.98

#: Warning. Values of the contract's closed vocabularies (relations, benefit categories, health
#: groups ...). A new value is kept and flagged at ingest; more than 1% means the department
#: changed its code list and the hub's vocabulary needs an update.
VOCABULARY_RATE = 0.99

#: Warning. Values the contract promises in every row (a 户号 for every person, a building
#: code for every address): any exception is a broken promise worth listing.
CONTRACT_RATE = 1.0

#: Warning. Door plates and citizen reports carry coordinates inside Dehua; a coordinate
#: outside the county is dropped at ingest. A few percent dropped means a datum or a column
#: swap (lng/lat) in the export.
LOCATED_RATE = 0.98

#: Birth dates (the match key, from the ID or as delivered) lie between this day and the
#: snapshot date. GB 11643 IDs cannot encode earlier births, and no resident is older.
EARLIEST_BIRTH = dt.datetime(1900, 1, 1)

#: Warning. Whole numbers that must be plausible: 保障人数 counts one household's members,
#: a vaccine dose is a small ordinal.
COVERED_COUNT_RANGE = (1, 20)
DOSE_RANGE = (1, 10)

# -- published model ---------------------------------------------------------------------------

#: Blocking. Share of active houses allowed without a responsibility grid. The grid centre
#: assigns new buildings to grids after public security registers them, so a month's new
#: construction (well under 1% of the county's houses) may lag; above 2% the grid reference
#: or the building-code join is broken and grid workers would miss whole buildings.
MAX_HOUSES_WITHOUT_GRID = 0.02

#: Warning. Ages of active persons, in whole years on the publication's as-of date. Outside
#: this range a wrong birth date won survivorship; stewards correct it, publishing goes on.
AGE_RANGE = (0, 120)

#: Tag counts against the previous publication, as a relative change. Warning above
#: ``TAG_CHANGE_WARN``: departments' monthly files legitimately move a tag by a few percent,
#: a policy change or a catch-up delivery by more; a steward should look. Blocking above
#: ``TAG_CHANGE_BLOCK``: half the party members or low-income households do not appear or
#: vanish in a month; a dataset went missing or a join broke, and departments would act on
#: wrong lists.
TAG_CHANGE_WARN = 0.20
TAG_CHANGE_BLOCK = 0.50

#: Tags on fewer persons than this (in both publications) are not compared: a handful of
#: people moving makes small tags swing by tens of percent.
TAG_MIN_COUNT = 50
