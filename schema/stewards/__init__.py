"""Steward actions in the schema: uncertain matches to review, decisions, and the mutations
that merge, split, detach, tell apart and release."""
