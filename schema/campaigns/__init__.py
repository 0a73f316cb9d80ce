"""GraphQL of the reminder engine: campaigns, templates, messages, contact policies and checks."""
