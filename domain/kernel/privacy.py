"""Personal data in events is sealed with a per-person key; deleting the key erases the person everywhere."""
from __future__ import annotations

import json
import threading
from base64 import b64decode, b64encode
from typing import Protocol
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

ERASED = "（已删除）"
SEALED_TEXT = "sealed:v1:"   # marks a free-text field sealed under its subject's key (older events hold plain text)


class KeyStore(Protocol):
    """Holds one AES key per person, apart from the event store."""

    def get(self, person_id: UUID) -> str | None: ...

    def get_or_create(self, person_id: UUID) -> str: ...

    def delete(self, person_id: UUID) -> None: ...


class InMemoryKeyStore:
    """A key store for tests and for single-process experiments."""

    def __init__(self) -> None:
        self._keys: dict[UUID, str] = {}
        self._lock = threading.Lock()

    def get(self, person_id: UUID) -> str | None:
        return self._keys.get(person_id)

    def get_or_create(self, person_id: UUID) -> str:
        with self._lock:
            return self._keys.setdefault(person_id, AESCipher.create_key(32))

    def delete(self, person_id: UUID) -> None:
        self._keys.pop(person_id, None)


class Sealer:
    """Seals a dict of personal fields for one person and opens it again while the key exists."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    def seal(self, person_id: UUID, fields: dict[str, str]) -> str:
        """Encrypt `fields` with the person's key (made on first use)."""
        cipher = AESCipher(Environment(env={"CIPHER_KEY": self.keys.get_or_create(person_id)}))
        plaintext = json.dumps(fields, ensure_ascii=False).encode()
        return b64encode(cipher.encrypt(plaintext)).decode()

    def seal_text(self, person_id: UUID, text: str) -> str:
        """Free text about a person (a reason that may name them), sealed under their key: erased with them."""
        return SEALED_TEXT + self.seal(person_id, {"text": text}) if text else ""

    def open_text(self, person_id: UUID, value: str | None) -> str | None:
        """A free-text field as written: opened when sealed ('' once the person is erased), else as stored."""
        if not value or not value.startswith(SEALED_TEXT):
            return value
        fields = self.unseal(person_id, value[len(SEALED_TEXT):])
        return fields["text"] if fields else ""

    def unseal(self, person_id: UUID, sealed: str) -> dict[str, str] | None:
        """The fields, or None once the person's key has been deleted."""
        key = self.keys.get(person_id)
        if key is None or not sealed:
            return None
        cipher = AESCipher(Environment(env={"CIPHER_KEY": key}))
        return json.loads(cipher.decrypt(b64decode(sealed)))
