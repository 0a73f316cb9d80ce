"""Thin Lambda entry points for workers (scheduled, SQS, stream); each parses its event and calls one
use case. The API's own entry point is `api.handler`."""
