"""GraphQL of the dashboard: `summary(asOf)` on the tenant and portfolios, and `kpis(...)`."""
