"""DynamoDB single-table adapter: PynamoDB models, key mapping and the ledger repository."""
