"""The snap-and-report loop in the schema: reports, their steps, and the mutations that move
them on."""
