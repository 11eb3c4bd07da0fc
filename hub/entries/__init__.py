"""Grid workers' entries: a resident entered once, in the hub, and reused by every department.

A grid worker registers a resident, gives a new phone, a house, whether someone lives alone,
reports a move or a death (:class:`~hub.entries.model.Entry`). Each entry becomes a source
record of its own (dataset ``grid.entry``), normalised by the same functions as a department's
row (:mod:`hub.entries.fields`), and resolution runs at once in the same transaction, so the
golden record, its provenance ("grid worker 王芳, 2026-12-03 10:15") and the change feed show
the entry before the request returns (:func:`~hub.entries.service.submit`).
"""
