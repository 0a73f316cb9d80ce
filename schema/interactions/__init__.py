"""GraphQL of interactions (gestiones) and the debtor timeline."""
