"""The floor for cold-start import time: a bare Starlette app behind Mangum."""

from mangum import Mangum
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(request: object) -> PlainTextResponse:
    return PlainTextResponse("hello")


handler = Mangum(Starlette(routes=[Route("/", hello)]), lifespan="off")
