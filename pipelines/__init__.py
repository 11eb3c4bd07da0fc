"""The Dagster code location: thin assets, checks, sensors and schedules over ``hub``.

    landing/<source> (6 external sources)
      -> <source>/<dataset> (9 delivery assets, blocking delivery_expectations)
      -> grid_reference (from wangge/grid)
      -> golden_records (resolve + validate + publish in one transaction,
                         blocking publication_expectations)
      -> published_model (the current model, Data Docs; checks on the published state)

- :mod:`pipelines.definitions`: ``defs``, what ``dagster dev -m pipelines.definitions`` loads.
- :mod:`pipelines.assets`: one module per concept; :mod:`pipelines.checks`: published state.
- :mod:`pipelines.jobs`, :mod:`pipelines.sensors`, :mod:`pipelines.schedules`: automation.
- :mod:`pipelines.resources`: database, landing folder, Data Docs folder.
- :mod:`pipelines.metadata`: our reports as Dagster metadata and check results.
- :mod:`pipelines.runner`: the whole graph in-process, for ``hub run``.

Every step calls :mod:`hub.pipeline`, which holds the logic and says why publication is atomic.
"""
