"""The change feed in the schema: ``changes(since, first, after)`` to page through it and a
subscription that delivers the same events live."""
