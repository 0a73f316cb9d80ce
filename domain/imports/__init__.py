"""Imports of debtors and debts from files: column mapping, value parsing, chunked runs."""
