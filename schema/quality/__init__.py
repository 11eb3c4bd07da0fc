"""Data stewardship: deliveries, quality runs and quarantined rows."""
