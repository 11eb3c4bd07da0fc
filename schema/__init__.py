"""The GraphQL layer: Strawberry types and resolvers by area, and the exported SDL.

    root.py        the composed ``Query`` and ``build_schema()`` (extensions: masked errors,
                   depth and alias limits, introspection only in development)
    context.py     the typed per-request ``Context``: session, viewer, DataLoaders
    loaders.py     one DataLoader per relation (a batched query each)
    pagination.py  keyset cursors behind Relay-style connections
    node.py        ``node``/``nodes`` and id resolution (merged ids redirect, grid scope)
    persons/ houses/ grids/ provenance/ quality/    one package per area: types.py, query.py
    export.py      ``python -m schema.export [--check]`` -> schema.graphql
    operations/    example operations, one per everyday question

Access decisions are not made here: personal fields ask ``hub.api.access.Viewer``.
"""
