"""Test-wide setup: fake AWS credentials and moto imported before any boto3 client exists."""

from __future__ import annotations

import os

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SECURITY_TOKEN", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.pop("RECAUDO_AWS_ENDPOINT", None)
os.environ.setdefault("RECAUDO_TABLE", "recaudo-test")

import moto  # noqa: E402,F401  (must precede boto3 client creation)
