"""SafeWebhookSender against real local receivers on 127.0.0.1, its SSRF refusals, and `webhook-listen`.

Only loopback is ever contacted: every other address is either refused before any socket connects (which
the `no_connections` fixture enforces) or reached through a fake resolver that points at 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from api.webhook_listen import make_server, run
from infra.webhooks.http import SafeWebhookSender
from infra.webhooks.signing import StandardWebhooksSigner, headers

BODY = '{"id":"ev-1","type":"DebtPaid","data":{"debtId":"d-1","amount":"150.00"}}'
SIGNER = StandardWebhooksSigner()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    port: int
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
            receiver.requests.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if self.path == "/slow":
                time.sleep(1.0)
                self._reply(200, b"late")
            elif self.path == "/fail":
                self._reply(500, b"boom " + b"x" * 2000)
            elif self.path == "/redirect":
                self._reply(302, b"", location="http://169.254.169.254/latest/meta-data")
            else:
                self._reply(200, "gracias ✓".encode())

        def _reply(self, status: int, body: bytes, location: str | None = None) -> None:
            try:
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the sender gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A plain-HTTP receiver on an ephemeral 127.0.0.1 port."""
    rec = Receiver(0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    rec.port = server.server_port
    with serving(server):
        yield rec


class FakeResolver:
    """Answers every name with the given addresses, and records the look-ups."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        self.calls.append((host, port))
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in self.addresses
        ]


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any socket connect fails the test (and is recorded)."""
    attempts: list[Any] = []

    def refuse(sock: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise AssertionError(f"a connection to {address} was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def signed(secret: str, message_id: str = "ev-1", body: str = BODY) -> dict[str, str]:
    at = dt.datetime.now(dt.UTC)
    return headers(message_id, at, SIGNER.sign([secret], message_id, at, body))


def local_sender(**kwargs: Any) -> SafeWebhookSender:
    return SafeWebhookSender(allow_loopback=True, **kwargs)


# --- delivering to a real local receiver -------------------------------------------------------------


def test_a_2xx_is_a_success_with_latency_and_the_request_arrives_intact(receiver: Receiver) -> None:
    sent_headers = signed(SIGNER.new_secret())

    result = local_sender().post(receiver.url("/ok"), sent_headers, BODY)

    assert (result.status_code, result.error, result.permanent) == (200, None, False)
    assert result.body_excerpt == "gracias ✓"
    assert result.latency_ms >= 0
    [got] = receiver.requests
    assert got.body == BODY
    assert got.headers["host"] == f"127.0.0.1:{receiver.port}"
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "user-agent"):
        assert got.headers[name] == sent_headers[name]


def test_a_500_is_reported_with_its_status_and_a_500_character_excerpt(receiver: Receiver) -> None:
    result = local_sender().post(receiver.url("/fail"), signed(SIGNER.new_secret()), BODY)

    assert result.status_code == 500
    assert result.error == "HTTP 500"
    assert not result.permanent
    assert result.body_excerpt is not None and len(result.body_excerpt) == 500
    assert result.body_excerpt.startswith("boom xxx")


def test_a_slow_receiver_times_out(receiver: Receiver) -> None:
    result = local_sender(timeout=0.3).post(receiver.url("/slow"), signed(SIGNER.new_secret()), BODY)

    assert result.status_code is None
    assert result.error is not None and "timed out after 0.3s" in result.error
    assert not result.permanent
    assert 250 <= result.latency_ms < 1000


def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    result = local_sender().post(receiver.url("/redirect"), signed(SIGNER.new_secret()), BODY)

    assert result.status_code == 302
    assert result.error is not None and "redirect not followed" in result.error
    assert not result.permanent
    assert [r.path for r in receiver.requests] == ["/redirect"]  # and nothing went to the Location


def test_a_refused_connection_is_a_retryable_failure() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = local_sender().post(f"http://127.0.0.1:{port}/", signed(SIGNER.new_secret()), BODY)

    assert result.status_code is None and not result.permanent
    assert result.error is not None and "connection to 127.0.0.1 failed" in result.error


def test_the_resolved_address_is_pinned_and_the_host_header_kept(receiver: Receiver) -> None:
    # GIVEN a name only our resolver knows (the real DNS is never asked: the vetted IP is connected to)
    resolver = FakeResolver("127.0.0.1")

    result = local_sender(resolver=resolver).post(
        receiver.url("/ok", host="partner.test"), signed(SIGNER.new_secret()), BODY
    )

    assert result.status_code == 200
    assert resolver.calls == [("partner.test", receiver.port)]  # resolved once, at delivery time
    assert receiver.requests[0].headers["host"] == f"partner.test:{receiver.port}"


# --- TLS: connected by IP, the certificate still checked against the hostname ------------------------


def _certificate(tmp_path: Path, hostname: str) -> tuple[Path, Path]:
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[tuple[Receiver, ssl.SSLContext]]:
    """An https receiver on 127.0.0.1, certificate for partner.test; yields it and a context trusting it."""
    cert_path, key_path = _certificate(tmp_path, "partner.test")
    rec = Receiver(0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    rec.port = server.server_port
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert_path, key_path)
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    client_ctx = ssl.create_default_context(cafile=str(cert_path))
    with serving(server):
        yield rec, client_ctx


def test_https_goes_to_the_pinned_ip_with_the_hostname_as_sni(
    tls_receiver: tuple[Receiver, ssl.SSLContext],
) -> None:
    rec, trusting = tls_receiver
    sender = local_sender(resolver=FakeResolver("127.0.0.1"), ssl_context=trusting)

    result = sender.post(
        rec.url("/ok", host="partner.test", scheme="https"), signed(SIGNER.new_secret()), BODY
    )

    assert (result.status_code, result.error) == (200, None)
    assert rec.requests[0].headers["host"] == f"partner.test:{rec.port}"


def test_https_refuses_a_certificate_for_another_hostname(
    tls_receiver: tuple[Receiver, ssl.SSLContext],
) -> None:
    rec, trusting = tls_receiver
    sender = local_sender(resolver=FakeResolver("127.0.0.1"), ssl_context=trusting)

    result = sender.post(
        rec.url("/ok", host="attacker.test", scheme="https"), signed(SIGNER.new_secret()), BODY
    )

    assert result.status_code is None and not result.permanent
    assert result.error is not None and "certificate" in result.error.lower()
    assert rec.requests == []


# --- SSRF: refused before any connection -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/", "address 127.0.0.1 is loopback"),
        ("https://169.254.169.254/latest/meta-data", "address 169.254.169.254 is link-local"),
        ("https://10.0.0.1/", "address 10.0.0.1 is private"),
        ("https://[::1]/", "address ::1 is loopback"),
        ("https://[fe80::1]/", "address fe80::1 is link-local"),
        ("https://[::ffff:10.0.0.1]/", "address ::ffff:a00:1 (10.0.0.1) is private"),
        ("https://0.0.0.0/", "address 0.0.0.0 is unspecified"),
        ("https://224.0.0.1/", "address 224.0.0.1 is multicast"),
        ("https://100.64.0.1/", "address 100.64.0.1 is not globally routable"),
    ],
)
def test_literal_internal_addresses_are_refused_without_a_lookup_or_connection(
    url: str, message: str, no_connections: list[Any]
) -> None:
    resolver = FakeResolver("8.8.8.8")

    result = SafeWebhookSender(resolver=resolver).post(url, signed(SIGNER.new_secret()), BODY)

    assert (result.status_code, result.permanent, result.error) == (None, True, message)
    assert resolver.calls == [] and no_connections == []


@pytest.mark.parametrize(
    ("addresses", "message"),
    [
        (("192.168.1.10",), "address 192.168.1.10 is private"),
        (("8.8.8.8", "10.1.2.3"), "address 10.1.2.3 is private"),  # ANY bad address refuses
        (("::ffff:169.254.169.254",), "address ::ffff:a9fe:a9fe (169.254.169.254) is link-local"),
        (("64:ff9b::7f00:1",), "address 64:ff9b::7f00:1 (127.0.0.1) is loopback"),
    ],
)
def test_a_hostname_resolving_to_an_internal_address_is_refused(
    addresses: tuple[str, ...], message: str, no_connections: list[Any]
) -> None:
    resolver = FakeResolver(*addresses)

    result = SafeWebhookSender(resolver=resolver).post(
        "https://hooks.partner.example/in", signed(SIGNER.new_secret()), BODY
    )

    assert (result.status_code, result.permanent, result.error) == (None, True, message)
    assert resolver.calls == [("hooks.partner.example", 443)]
    assert no_connections == []


def test_plain_http_is_refused_unless_local_development(
    receiver: Receiver, no_connections: list[Any]
) -> None:
    result = SafeWebhookSender().post(receiver.url("/ok"), signed(SIGNER.new_secret()), BODY)

    assert (result.status_code, result.permanent) == (None, True)
    assert result.error is not None and "only https://" in result.error
    assert no_connections == [] and receiver.requests == []


def test_plain_http_is_refused_to_a_public_address_even_in_local_development(
    no_connections: list[Any],
) -> None:
    result = local_sender(resolver=FakeResolver("8.8.8.8")).post(
        "http://hooks.partner.example/", signed(SIGNER.new_secret()), BODY
    )

    assert (result.status_code, result.permanent) == (None, True)
    assert result.error == "http:// is only allowed to loopback addresses (address 8.8.8.8 is not)"
    assert no_connections == []


@pytest.mark.parametrize(
    "url", ["ftp://hooks.partner.example/", "file:///etc/passwd", "not a url", "https:///x"]
)
def test_other_schemes_and_malformed_urls_are_refused(url: str, no_connections: list[Any]) -> None:
    result = SafeWebhookSender(resolver=FakeResolver("8.8.8.8")).post(url, {}, BODY)

    assert (result.status_code, result.permanent) == (None, True)
    assert result.error
    assert no_connections == []


def test_a_failed_lookup_is_a_retryable_failure(no_connections: list[Any]) -> None:
    def nxdomain(*args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    result = SafeWebhookSender(resolver=nxdomain).post("https://gone.partner.example/", {}, BODY)

    assert result.status_code is None and not result.permanent
    assert result.error is not None and result.error.startswith("cannot resolve host")


# --- recaudo webhook-listen ----------------------------------------------------------------------------


@pytest.fixture
def listener(capsys: pytest.CaptureFixture[str]) -> Iterator[tuple[int, str]]:
    """`run` on an ephemeral port in a thread; yields the port and its secret (its banner already read)."""
    secret = SIGNER.new_secret()
    started = threading.Event()
    servers: list[ThreadingHTTPServer] = []

    def ready(server: ThreadingHTTPServer) -> None:
        servers.append(server)
        started.set()

    thread = threading.Thread(target=run, args=(0, secret), kwargs={"ready": ready}, daemon=True)
    thread.start()
    assert started.wait(5)
    port = servers[0].server_port
    assert capsys.readouterr().out.startswith(f"Listening for webhooks on http://127.0.0.1:{port}/")
    try:
        yield port, secret
    finally:
        servers[0].shutdown()
        thread.join(timeout=5)


def test_the_listener_accepts_a_correctly_signed_delivery(
    listener: tuple[int, str], capsys: pytest.CaptureFixture[str]
) -> None:
    port, secret = listener

    result = local_sender().post(f"http://127.0.0.1:{port}/", signed(secret, "ev-42"), BODY)

    assert (result.status_code, result.error) == (204, None)
    assert capsys.readouterr().out == '✓ ev-42 DebtPaid {"debtId":"d-1","amount":"150.00"}\n'


def test_the_listener_rejects_a_badly_signed_delivery(
    listener: tuple[int, str], capsys: pytest.CaptureFixture[str]
) -> None:
    port, secret = listener

    def post(sent: dict[str, str]) -> int | None:
        return local_sender().post(f"http://127.0.0.1:{port}/", sent, BODY).status_code

    assert post(signed(SIGNER.new_secret())) == 400  # another secret
    assert post({**signed(secret), "webhook-signature": "garbage"}) == 400  # malformed
    assert post({"content-type": "application/json"}) == 400  # unsigned

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("✗ invalid signature: ") for line in lines)
    assert "No matching signature found" in lines[0]


def test_make_server_refuses_a_malformed_secret() -> None:
    with pytest.raises(ValueError, match="whsec_"):
        make_server(0, "whsec_not*base64!")


def test_the_cli_reports_a_malformed_secret(capsys: pytest.CaptureFixture[str]) -> None:
    from api.cli import main

    assert main(["webhook-listen", "--port", "0", "--secret", "nope!"]) == 2
    assert "--secret" in capsys.readouterr().err


def test_the_listener_summary_is_shortened() -> None:
    from api.webhook_listen import summarize

    event_type, summary = summarize({"type": "DebtCreated", "data": {"note": "x" * 500}})

    assert event_type == "DebtCreated"
    assert len(summary) == 80 and summary.endswith("…")


def test_the_listener_line_for_a_non_json_body(capsys: pytest.CaptureFixture[str]) -> None:
    secret = SIGNER.new_secret()
    server = make_server(0, secret)
    with serving(server):
        body = "plain text"
        result = local_sender().post(
            f"http://127.0.0.1:{server.server_port}/", signed(secret, "ev-7", body), body
        )

    assert result.status_code == 204
    assert capsys.readouterr().out.strip() == "✓ ev-7 - (body is not JSON)"
