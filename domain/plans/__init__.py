"""Payment plans: a debtor's balance on some debts split into a down payment and instalments.

While a plan is ACTIVE its debts are IN_PLAN: out of the normal reminder cadence (the due index drops
them, the planner and the dispatcher refuse cadence steps for them) and reminded instead through the
INSTALMENT_DUE step the daily sweep fires. Payments allocated to the covered debts pay the
instalments in order (recomputed from the debts' paid totals, never incremented); paying everything
COMPLETES the plan, an instalment unpaid past the tenant's grace days BREAKS it and the debts go back
to collection with their remaining balance. CANCELLED does the same on request.
"""
