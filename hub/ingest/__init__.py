"""Ingest: rows read from deliveries -> normalised, versioned source records, or quarantine.

``records`` maps each dataset's raw row to normalised fields and matching keys; ``snapshot``
applies a delivery as its dataset's snapshot (valid-from / valid-to versions); ``grid``
refreshes the grid reference; ``service`` runs the whole landing folder and reports.
"""
