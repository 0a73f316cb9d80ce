"""Report writers (openpyxl write-only XLSX, CSV) streamed to a temporary file, and their S3 publisher."""
