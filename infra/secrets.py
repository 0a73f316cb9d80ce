"""Envelope-free secret encryption with KMS: small secrets (≤ 4 KiB) go straight through Encrypt/Decrypt.

Every ciphertext is bound to an EncryptionContext (for webhook secrets: tenant and subscription id), so
a ciphertext copied onto another record does not decrypt. Locally and in tests moto provides KMS, so the
same class runs everywhere; `ensure_local_key` creates the key and alias there.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Protocol

from botocore.exceptions import ClientError

DEFAULT_ALIAS = "alias/recaudo-webhooks"
MAX_PLAINTEXT = 4096
"""KMS Encrypt's limit on the plaintext size."""

_UNDECRYPTABLE = {"InvalidCiphertextException", "IncorrectKeyException", "AccessDeniedException"}


class SecretBox(Protocol):
    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes: ...

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> bytes: ...


class SecretDecryptionError(Exception):
    """The ciphertext does not open with this key and context (moved, tampered with, or foreign)."""


class KmsSecretBox:
    """Encrypts small secrets under one KMS key (`key_id`: id, ARN or alias).

    Results are kept in a small in-process LRU keyed by (ciphertext, context) and (plaintext,
    context), so a warm Lambda does not call KMS for every read of the same record and re-saving
    unchanged secrets reuses their ciphertext.
    """

    def __init__(self, client: Any, key_id: str, cache_size: int = 256) -> None:
        self._client = client
        self._key_id = key_id
        self._cache_size = cache_size
        self._opened: OrderedDict[tuple[bytes, tuple[tuple[str, str], ...]], bytes] = OrderedDict()
        self._sealed: OrderedDict[tuple[bytes, tuple[tuple[str, str], ...]], bytes] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def key_id(self) -> str:
        return self._key_id

    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes:
        if len(plaintext) > MAX_PLAINTEXT:
            raise ValueError(f"KMS encrypts at most {MAX_PLAINTEXT} bytes, got {len(plaintext)}")
        ctx = _context_key(context)
        with self._lock:
            cached = self._sealed.get((plaintext, ctx))
        if cached is not None:
            return cached
        response = self._client.encrypt(
            KeyId=self._key_id, Plaintext=plaintext, EncryptionContext=dict(context)
        )
        ciphertext = bytes(response["CiphertextBlob"])
        self._remember(ciphertext, plaintext, ctx)
        return ciphertext

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> bytes:
        """Raises SecretDecryptionError when the ciphertext is not for this key and context."""
        ctx = _context_key(context)
        with self._lock:
            cached = self._opened.get((ciphertext, ctx))
            if cached is not None:
                self._opened.move_to_end((ciphertext, ctx))
        if cached is not None:
            return cached
        try:
            response = self._client.decrypt(
                CiphertextBlob=ciphertext, KeyId=self._key_id, EncryptionContext=dict(context)
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _UNDECRYPTABLE:
                raise SecretDecryptionError(str(error)) from error
            raise
        plaintext = bytes(response["Plaintext"])
        self._remember(ciphertext, plaintext, ctx)
        return plaintext

    def _remember(self, ciphertext: bytes, plaintext: bytes, ctx: tuple[tuple[str, str], ...]) -> None:
        if self._cache_size <= 0:
            return
        with self._lock:
            for cache, key, value in (
                (self._opened, (ciphertext, ctx), plaintext),
                (self._sealed, (plaintext, ctx), ciphertext),
            ):
                cache[key] = value
                cache.move_to_end(key)
                while len(cache) > self._cache_size:
                    cache.popitem(last=False)


def _context_key(context: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(context.items()))


def ensure_local_key(client: Any, alias: str = DEFAULT_ALIAS) -> str:
    """The id of the key behind `alias`, creating a symmetric key and the alias if missing.

    Meant for the local stack and tests (moto); in AWS the template creates the key.
    """
    existing = _key_behind(client, alias)
    if existing:
        return existing
    created = client.create_key(
        Description="Recaudo webhook signing secrets (local)",
        KeyUsage="ENCRYPT_DECRYPT",
        KeySpec="SYMMETRIC_DEFAULT",
    )
    key_id = str(created["KeyMetadata"]["KeyId"])
    try:
        client.create_alias(AliasName=alias, TargetKeyId=key_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "AlreadyExistsException":
            raise
        # Another process created it meanwhile: use theirs, drop ours.
        client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        winner = _key_behind(client, alias)
        if winner is None:
            raise
        return winner
    return key_id


def _key_behind(client: Any, alias: str) -> str | None:
    try:
        return str(client.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NotFoundException":
            return None
        raise
