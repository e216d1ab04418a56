"""Pseudonyms, envelope encryption and crypto-shredding for reporters' data.

- A reporter is found by an HMAC-SHA256 pseudonym of their normalised address, computed under a
  key derived from each master key: lookups try every key, so rotation never loses a reporter.
- Each reporter gets a random data key; it is stored wrapped (encrypted) by a `MultiFernet` of the
  master keys (newest first encrypts, any decrypts), and everything they wrote is encrypted under
  it. Deleting the wrapped key ("shredding") makes all their tokens unreadable at once.
- Text the service holds for itself, with no reporter's key (a model job's payload), is sealed
  under the master keys directly; equal texts are found by a keyed HMAC of them (`text_key`),
  never by a plain hash of a resident's words.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_PSEUDONYM_CONTEXT = b"cpps-pseudonym-v1"
_TEXT_KEY_CONTEXT = b"cpps-text-key-v1"


class ShreddedError(LookupError):
    """The data key is gone (the reporter was erased): their data can no longer be read."""


class Vault:
    def __init__(self, *, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one master key is required")
        self._master = MultiFernet([Fernet(key) for key in keys])
        self._pseudonym_keys = [
            hmac.new(base64.urlsafe_b64decode(key), _PSEUDONYM_CONTEXT, hashlib.sha256).digest()
            for key in keys
        ]
        # Only the newest key: every process must derive the same key for the same text now;
        # after a rotation new keys differ from old ones, which only costs a recomputation.
        self._text_key = hmac.new(
            base64.urlsafe_b64decode(keys[0]), _TEXT_KEY_CONTEXT, hashlib.sha256
        ).digest()

    def pseudonyms(self, channel: str, address: str) -> list[str]:
        """The address's pseudonym under every key, newest first (the first is the one to store)."""
        message = f"{channel}:{address}".encode()
        return [hmac.new(k, message, hashlib.sha256).hexdigest() for k in self._pseudonym_keys]

    def new_wrapped_key(self) -> str:
        return self._master.encrypt(Fernet.generate_key()).decode()

    def rewrap(self, wrapped_key: str) -> str:
        """Re-encrypt a data key under the newest master key (key rotation)."""
        return self._master.rotate(wrapped_key.encode()).decode()

    def _data_key(self, wrapped_key: str | None) -> Fernet:
        if wrapped_key is None:
            raise ShreddedError("data key shredded")
        try:
            return Fernet(self._master.decrypt(wrapped_key.encode()))
        except InvalidToken:
            raise ShreddedError("data key unreadable with the configured master keys") from None

    def encrypt(self, wrapped_key: str | None, plaintext: str) -> str:
        return self._data_key(wrapped_key).encrypt(plaintext.encode("utf-8")).decode()

    def decrypt(self, wrapped_key: str | None, token: str) -> str:
        try:
            return self._data_key(wrapped_key).decrypt(token.encode()).decode("utf-8")
        except InvalidToken:
            raise ShreddedError("token unreadable with this data key") from None

    def seal(self, plaintext: str) -> str:
        """Encrypt service-held text under the master keys (the newest encrypts)."""
        return self._master.encrypt(plaintext.encode("utf-8")).decode()

    def unseal(self, token: str) -> str:
        try:
            return self._master.decrypt(token.encode()).decode("utf-8")
        except InvalidToken:
            raise ShreddedError("token unreadable with the configured master keys") from None

    def text_key(self, text: str, *, context: str) -> str:
        """A stable key for `text` within `context` (e.g. the model job's kind): hex
        HMAC-SHA256 under a key derived from the newest master key, the same in every process."""
        if "\x00" in context:
            raise ValueError("a text key's context cannot contain NUL")
        message = f"{context}\x00{text}".encode()
        return hmac.new(self._text_key, message, hashlib.sha256).hexdigest()
