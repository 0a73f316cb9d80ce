"""Identifiers: random time-ordered ids for new records, derived ids for records keyed by external id."""

from __future__ import annotations

import base64
import hashlib
import os
import threading

from domain.clock import Clock

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _b32(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class TimeOrderedIds:
    """ULID-shaped ids (48-bit milliseconds + 80 random bits), sortable by creation time.

    Monotonic within a process: ids made in the same millisecond increment the random part, so
    records written in one instant (one transaction, or a fixed test clock) keep their order.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last = (0, 0)

    def new_id(self) -> str:
        millis = int(self._clock.now().timestamp() * 1000)
        with self._lock:
            last_millis, last_rand = self._last
            if millis <= last_millis:
                millis, rand = last_millis, (last_rand + 1) % (1 << 80)
            else:
                rand = int.from_bytes(os.urandom(10), "big") >> 1  # headroom for increments
            self._last = (millis, rand)
        return _b32(millis, 10) + _b32(rand, 16)


def derived_id(*parts: str) -> str:
    """A stable id from its natural key, so re-running an import converges on the same records."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return "x" + base64.b32encode(digest).decode().lower().rstrip("=")[:25]
