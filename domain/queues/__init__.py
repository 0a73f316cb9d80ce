"""Agents' prioritised work queues: precomputed base priority, read-time re-ranking, hooks."""
