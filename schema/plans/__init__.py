"""Payment plans in GraphQL."""
