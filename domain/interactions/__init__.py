"""Interactions (gestiones) agents log, their effects, and the debtor timeline that merges every record."""
