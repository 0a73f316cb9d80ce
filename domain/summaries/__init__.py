"""Portfolio and tenant summaries: live aggregates, nightly snapshots and KPI series."""
