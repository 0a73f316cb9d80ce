"""GraphQL of promises to pay: mutations, the `promises` list and `Debt.promises`."""
