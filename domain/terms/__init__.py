"""Changing a debt's terms: extensions of the due date (prórroga) and early-payment discount offers.

An extension moves an open debt's due date later, within the tenant's caps, keeps the history (and so
the original due date) as items next to the debt, and re-anchors the reminder cadence on the new date.
A discount offer lowers what a debtor must pay for some debts until a day; a payment that leaves no
more than the discount owed before the offer expires settles the debts, the rest credited.
"""
