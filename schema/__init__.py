"""The GraphQL layer: Strawberry types and resolvers by area, and the exported SDL.

    root.py        the composed ``Query`` and ``build_schema()`` (extensions: masked errors,
                   depth, alias and token limits, the purpose rule, introspection only in
                   development)
    context.py     the typed per-request ``Context``: session, viewer, DataLoaders
    loaders.py     one DataLoader per relation (a batched query each)
    pagination.py  keyset cursors behind Relay-style connections
    node.py        ``node``/``nodes`` and id resolution (merged ids redirect, grid scope)
    persons/ houses/ grids/ provenance/ quality/ audit/    one package per area: types.py,
                   query.py
    permissions.py ``Reads``: the permission of every gated field (and the read log)
    validation.py  personal values only as variables; the personal fields of a document
    export.py      ``python -m schema.export [--check]`` -> schema.graphql
    operations/    the published operations, one per everyday question (production runs
                   only these)

Access decisions are not made here: personal fields ask ``hub.api.access.Viewer``.
"""
