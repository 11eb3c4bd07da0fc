"""The Dagster code location: thin assets, checks, sensors and schedules over ``hub``."""
