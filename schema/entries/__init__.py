"""Grid workers' entries: register a resident, update, report a move or a death."""
