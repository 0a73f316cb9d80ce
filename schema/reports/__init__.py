"""GraphQL for report exports: `reportExport`."""
