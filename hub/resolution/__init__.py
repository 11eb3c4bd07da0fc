"""Resolution: which source records describe the same real person or house.

``records`` loads the current source records as frames; ``houses`` links records to the
standard addresses; ``persons`` links records of the same person (valid resident IDs first,
Splink for the rest) under steward constraints; ``ids`` keeps entity ids stable across runs;
``survivorship`` and ``golden`` build the published records with their provenance.
"""
