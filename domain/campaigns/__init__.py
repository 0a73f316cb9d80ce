"""The reminder engine: campaigns, templates, the planner, the dispatcher and delivery feedback."""
