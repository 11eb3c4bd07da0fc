"""Persons: golden residents, their department facts, and the queries departments ask."""
