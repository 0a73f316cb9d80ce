"""Report exports: pure report shaping (columns, lazily built rows, summaries) and the export use case.
File formats (openpyxl, CSV) and storage (S3) live in `infra/reports/`."""
