"""Adapters that implement the domain ports (DynamoDB, messaging, storage)."""
