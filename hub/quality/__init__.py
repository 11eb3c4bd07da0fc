"""Data quality: GX suites (``expectations/``) run on deliveries and on the published model.

- :mod:`hub.quality.report`: our report types; the only thing that leaves this package.
- :mod:`hub.quality.frames`: the batches, read through the caller's session.
- :mod:`hub.quality.validate`: an ephemeral GX context per run; GX results -> report.
- :mod:`hub.quality.docs`: GX Data Docs (static HTML) from reports.
- :mod:`hub.quality.runner`: ``check_delivery``, ``check_publication``, ``store_report``,
  ``build_data_docs``: what the pipeline calls.

Importing this package does not import GX; :mod:`hub.quality.runner` does.
"""

from hub.quality.report import ExpectationOutcome, QualityReport

__all__ = ["ExpectationOutcome", "QualityReport"]
