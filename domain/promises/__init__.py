"""Promises to pay: a debtor's commitment to pay an amount of some debts by a date.

A pending promise pauses the promised debts' reminder cadence until its deadline (the promised date
plus the tenant's grace days, at the end of that day in the debtor's zone). Payments allocated to the
promised debts keep it (recomputed, never incremented); the daily sweeper breaks the overdue ones.
"""
