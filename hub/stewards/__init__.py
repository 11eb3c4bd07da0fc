"""Data stewardship: reviewing uncertain matches, acting on persons (merge, split, detach,
tell apart) and releasing corrected quarantined rows, each stored with who and why and
honoured by every later run."""
