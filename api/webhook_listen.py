"""`recaudo webhook-listen`: a local receiver that checks Standard Webhooks signatures and prints each event.

Point a subscription at `http://127.0.0.1:<port>/` (the sender allows http:// to loopback only in local
development) and give the listener the subscription's `whsec_` secret.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from standardwebhooks import Webhook, WebhookVerificationError

MAX_BODY = 1024 * 1024
SUMMARY_CHARS = 80


def _webhook(secret: str) -> Webhook:
    key = secret.removeprefix("whsec_")
    try:
        valid = bool(base64.b64decode(key + "=" * (-len(key) % 4), validate=True))
    except (binascii.Error, ValueError):
        valid = False
    if not valid:
        raise ValueError("the secret must be `whsec_` followed by base64 (as shown for the subscription)")
    return Webhook(secret)


def summarize(payload: Any) -> tuple[str, str]:
    """The event type and a one-line, shortened rendering of its data."""
    if not isinstance(payload, dict):
        return "-", _shorten(json.dumps(payload, ensure_ascii=False))
    data = payload.get("data", {k: v for k, v in payload.items() if k != "type"})
    return str(payload.get("type", "-")), _shorten(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    )


def _shorten(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def make_server(
    port: int, secret: str, host: str = "127.0.0.1", out: TextIO | None = None
) -> ThreadingHTTPServer:
    """A bound (not yet serving) receiver; port 0 picks a free port (see `server.server_port`)."""
    webhook = _webhook(secret)

    def say(line: str) -> None:
        print(line, file=out or sys.stdout, flush=True)

    class Handler(BaseHTTPRequestHandler):
        server_version = "RecaudoWebhookListen/1"

        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("content-length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                say(f"✗ refused: Content-Length must be 0 to {MAX_BODY} bytes")
                self._answer(413)
                return
            body = self.rfile.read(length)
            try:
                webhook.verify(body, dict(self.headers.items()), json_parse=False)
            except WebhookVerificationError as err:
                say(f"✗ invalid signature: {err}")
                self._answer(400)
                return
            except ValueError as err:  # malformed signature header or non-UTF-8 body
                say(f"✗ invalid signature: malformed request ({err})")
                self._answer(400)
                return
            try:
                event_type, summary = summarize(json.loads(body))
            except ValueError:
                event_type, summary = "-", "(body is not JSON)"
            say(f"✓ {self.headers.get('webhook-id')} {event_type} {summary}")
            self._answer(204)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per delivery is printed by do_POST; no access log

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def run(
    port: int,
    secret: str,
    host: str = "127.0.0.1",
    ready: Callable[[ThreadingHTTPServer], None] | None = None,
) -> None:
    """Serve until interrupted; `ready` is called with the bound server before serving starts."""
    server = make_server(port, secret, host)
    print(f"Listening for webhooks on http://{host}:{server.server_port}/  (Ctrl-C stops)", flush=True)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    finally:
        server.server_close()
