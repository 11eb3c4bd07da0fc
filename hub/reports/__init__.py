"""The snap-and-report loop (随手拍): citizen reports placed in the grid and linked to the
reporter, moved through submitted -> assigned -> handled -> answered -> rated, each step kept.

Reports come from city management's deliveries (published from the current records by
:func:`hub.reports.publish.publish_reports`, at every resolution run) and from the hub's own
``reportEvent`` (:mod:`hub.reports.loop`); the responsible roles move both on."""
