"""AWS Lambda entry point of the API (API Gateway HTTP API → Mangum → Starlette)."""

from __future__ import annotations

from mangum import Mangum

from api.app import create_app

handler = Mangum(create_app(), lifespan="off")
