"""AWS Lambda entry point of the API (API Gateway HTTP API → Mangum → Starlette).

Kept lean: it is imported on every cold start. Tracing is X-Ray's Lambda integration (template),
logging is Powertools' structured logger with the API Gateway request id as correlation id.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from api.app import create_app

logger = Logger(service="recaudo-api")
asgi = Mangum(create_app(), lifespan="off")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = asgi(event, context)
    return response
