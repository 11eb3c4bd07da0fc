"""Dehua data hub: one deduplicated, quality-checked resident and housing model for the grid.

Imports point one way, from the edges to the core::

    sources/ -> normalise/ -> storage/ <- resolution/, quality/ <- api/, pipelines/, schema/

Nothing in ``hub`` imports Dagster or Strawberry; those are thin layers over it.
"""

__version__ = "0.1.0"
