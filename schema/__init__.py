"""The GraphQL contract: Strawberry types, queries and mutations, one module per feature."""
