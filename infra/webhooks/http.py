"""An SSRF-safe webhook sender: https only, every resolved address vetted, the vetted IP pinned, no redirects.

The host is resolved at delivery time (a partner's DNS may change between registration and delivery) and
the request is refused, permanently, when any address is private, loopback, link-local (the cloud metadata
endpoint 169.254.169.254 among them), multicast, reserved, unspecified or otherwise not globally routable,
including IPv4-mapped and NAT64 forms of those. The connection then goes to the vetted IP itself, with the
original Host header and TLS server name (so the certificate is still checked against the hostname): a
DNS answer that changes between the check and the connect (DNS rebinding) cannot redirect the request.

Nothing here logs request headers: they carry the signature.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from domain.webhooks import HttpResult

EXCERPT_CHARS = 500
_EXCERPT_BYTES = EXCERPT_CHARS * 4  # enough UTF-8 for 500 characters; the rest is never downloaded

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., Sequence[tuple[Any, ...]]]
"""`socket.getaddrinfo`'s shape: `(host, port, family, type)` -> `[(family, type, proto, name, sockaddr)]`."""

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class Refused(Exception):
    """The URL or one of its addresses may not be called; retrying cannot help."""


def _reason(addr: IPAddress) -> str | None:
    """Why this address is refused (None when it is a public unicast address)."""
    if addr.is_unspecified:
        return "unspecified"
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    if addr.is_multicast:
        return "multicast"
    if addr.is_private:
        return "private"
    if addr.is_reserved:
        return "reserved"
    if not addr.is_global:
        return "not globally routable"
    return None


def refusal(addr: IPAddress, allow_loopback: bool = False) -> str | None:
    """The error for an address the sender must not connect to, or None when it may."""
    candidates: list[IPAddress] = [addr]
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            candidates = [addr.ipv4_mapped]  # ::ffff:a.b.c.d is a.b.c.d
        elif addr in _NAT64:
            candidates = [ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)]  # NAT64 reaches the embedded IPv4
        elif addr.sixtofour is not None:
            candidates.append(addr.sixtofour)
    for candidate in candidates:
        if allow_loopback and candidate.is_loopback:
            continue
        reason = _reason(candidate)
        if reason is not None:
            shown = str(addr) if candidate == addr else f"{addr} ({candidate})"
            return f"address {shown} is {reason}"
    return None


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class SafeWebhookSender:
    """`domain.webhooks.WebhookSender` over httpx.

    `allow_loopback` is for local development only: it also accepts loopback addresses, and `http://` URLs
    whose addresses are all loopback (`recaudo webhook-listen` on 127.0.0.1, say).
    """

    def __init__(
        self,
        timeout: float = 5.0,
        allow_loopback: bool = False,
        resolver: Resolver = socket.getaddrinfo,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.timeout = timeout
        self.allow_loopback = allow_loopback
        self.resolver = resolver
        self._ssl_context = ssl_context

    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        started = time.perf_counter()
        try:
            target, host, addresses = self._vet(url)
        except Refused as refused:
            return HttpResult(status_code=None, latency_ms=_ms(started), error=str(refused), permanent=True)
        except OSError as err:  # DNS failure: may be temporary
            return HttpResult(status_code=None, latency_ms=_ms(started), error=f"cannot resolve host: {err}")

        error = "no address to connect to"
        for addr in addresses:  # the next vetted address only when this one refuses the connection
            try:
                return self._send(target, host, addr, headers, body, started)
            except httpx.TimeoutException as exc:
                return HttpResult(
                    status_code=None,
                    latency_ms=_ms(started),
                    error=f"timed out after {self.timeout:g}s ({type(exc).__name__})",
                )
            except httpx.ConnectError as exc:
                error = f"connection to {addr} failed: {exc}"
            except (httpx.HTTPError, OSError) as exc:
                return HttpResult(
                    status_code=None, latency_ms=_ms(started), error=f"{type(exc).__name__}: {exc}"
                )
        return HttpResult(status_code=None, latency_ms=_ms(started), error=error)

    def _vet(self, url: str) -> tuple[httpx.URL, str, list[IPAddress]]:
        """The parsed URL, its host, and its addresses (all allowed); raises Refused."""
        try:
            target = httpx.URL(url)
            host = target.raw_host.decode("ascii")
        except (httpx.InvalidURL, UnicodeError, ValueError) as err:
            raise Refused(f"invalid URL: {err}") from None
        if target.scheme not in ("https", "http"):
            raise Refused(f"only https:// URLs are allowed (got {target.scheme or 'no'} scheme)")
        if target.scheme == "http" and not self.allow_loopback:
            raise Refused("only https:// URLs are allowed")
        if not host:
            raise Refused("invalid URL: no host")
        port = target.port or (443 if target.scheme == "https" else 80)

        literal = _parse_ip(host)
        if literal is not None:
            addresses = [literal]
        else:
            infos = self.resolver(host, port, 0, socket.SOCK_STREAM)
            addresses = []
            for info in infos:
                addr = _parse_ip(str(info[4][0]))
                if addr is None:
                    raise Refused(f"{host} resolves to an unusable address {info[4][0]!r}")
                if addr not in addresses:
                    addresses.append(addr)
            if not addresses:
                raise OSError(f"{host} has no address")
        for addr in addresses:
            reason = refusal(addr, self.allow_loopback)
            if reason is not None:
                raise Refused(reason)
            if target.scheme == "http" and not _is_loopback(addr):
                raise Refused(f"http:// is only allowed to loopback addresses (address {addr} is not)")
        return target, host, addresses

    def _send(
        self,
        target: httpx.URL,
        host: str,
        addr: IPAddress,
        headers: dict[str, str],
        body: str,
        started: float,
    ) -> HttpResult:
        pinned = target.copy_with(host=str(addr))
        request_headers = {k: v for k, v in headers.items() if k.lower() != "host"}
        request_headers["Host"] = target.netloc.decode("ascii")
        request_headers["Accept-Encoding"] = "identity"  # the excerpt is read raw: no decompression
        extensions = {"sni_hostname": host} if target.scheme == "https" and _parse_ip(host) is None else {}
        deadline = started + self.timeout
        # A client per attempt: no pooled connection (its TLS session verified for another partner's
        # hostname on a shared IP) is ever reused; no proxy or .netrc from the environment either.
        with (
            httpx.Client(
                timeout=self.timeout,
                follow_redirects=False,
                trust_env=False,
                verify=self._ssl(),
            ) as client,
            client.stream(
                "POST",
                pinned,
                headers=request_headers,
                content=body.encode("utf-8"),
                extensions=extensions,
            ) as response,
        ):
            raw = b""
            for chunk in response.iter_raw():
                raw += chunk
                if len(raw) >= _EXCERPT_BYTES or time.perf_counter() > deadline:
                    break
        status = response.status_code
        excerpt = raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS] or None
        error = None
        if 300 <= status < 400:
            error = f"redirect not followed (HTTP {status})"
        elif not 200 <= status < 300:
            error = f"HTTP {status}"
        return HttpResult(status_code=status, latency_ms=_ms(started), error=error, body_excerpt=excerpt)

    def _ssl(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context


def _is_loopback(addr: IPAddress) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped.is_loopback
    return addr.is_loopback


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
