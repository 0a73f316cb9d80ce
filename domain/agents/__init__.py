"""The agent directory and the assignment of debtors to agents."""
