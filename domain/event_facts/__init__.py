"""The facts event-triggered reminders state: the instalment falling due, the promise due or broken,
the payment received (`StoreEventFacts`, the reminder engine's `EventFactsReader`)."""

from domain.event_facts.reader import StoreEventFacts

__all__ = ["StoreEventFacts"]
