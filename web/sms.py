"""Text messages to a phone: one-time codes that prove a person owns a number.

`SmsSender` is the one interface. Development and tests use `OutboxSmsSender`, which appends each message to a
file in the data folder (the number masked: the file is no place for personal data). A deployment plugs in a
gateway with `GatewaySmsSender` (set `LINLI_SMS=gateway`, `LINLI_SMS_GATEWAY_URL`, `LINLI_SMS_GATEWAY_TOKEN`): it
POSTs `{"phone": "13800138000", "text": "…"}` as JSON with `Authorization: Bearer <token>` and expects a 2xx; a
small relay to the operator's provider (Aliyun, Tencent Cloud, …) sits behind that URL."""
from __future__ import annotations

import json
import os
import threading
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from domain.kernel.text import mask_phone


class SmsSender(Protocol):
    """Sends one text message to a canonical mainland mobile number."""

    def send(self, phone: str, text: str) -> None: ...


class OutboxSmsSender:
    """Development and tests: each message becomes one JSON line in a file (mode 0600), the number masked and its
    keyed digest given so a test can find the message for a number it knows."""

    def __init__(self, path: Path, phone_key) -> None:
        self.path = path
        self.phone_key = phone_key
        self._lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        line = json.dumps({"at": datetime.now(timezone.utc).isoformat(), "to": mask_phone(phone),
                           "key": self.phone_key(phone), "text": text}, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(line + "\n")


class GatewaySmsSender:
    """A deployment's gateway, over HTTPS (see the module docstring for the request)."""

    def __init__(self, url: str, token: str, timeout: float = 5.0) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, phone: str, text: str) -> None:
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (the operator's URL)
            if not 200 <= response.status < 300:
                raise OSError(f"SMS gateway answered {response.status}")
