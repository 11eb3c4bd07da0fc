"""An independent evaluation set for the hub: a second author's landing data, from the
delivery contract and from what county records look like, with the truth kept apart.

Frozen once written (see ``evalset/README.md``): the yardstick is never tuned to the hub.
It imports nothing from ``hub``; only ``evalset.answers`` talks to the hub, through its CLI and
its GraphQL API.

    places, grids, housing, people   the real world: villages, grids, buildings, households
    names, idcard, typed, addresses  how offices write people and places, defects drawn
    noise                            every defect kind, its rate, and the log of draws
    world, events                    the first snapshot, and what happens until the next
    datasets/                        each department's records of the world
    delivery, files                  the landing folder as delivered
    truth                            persons.csv, houses.csv, residents.csv, undecidable.csv
    generate, cli                    the commands
    answers/                         the departments' questions asked of a running hub
"""
