"""The GraphQL layer: Strawberry types and resolvers by area, and the exported SDL."""
