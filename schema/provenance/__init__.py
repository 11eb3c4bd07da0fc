"""Lineage: the department records behind a person and where each golden value came from."""
