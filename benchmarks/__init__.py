"""Benchmarks that print figures (``python benchmarks/<name>.py --help``); results and how they
were taken are in ``docs/benchmarks.md``. Modules starting with ``_`` are shared helpers."""
