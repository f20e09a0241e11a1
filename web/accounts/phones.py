"""Proving a phone number: a one-time code sent by SMS, for sign-up, a forgotten password and a new number.

Asking for a code answers the same whether or not the number has an account (no one learns who is registered):
an unknown number gets a sign-up code, a registered one gets a message saying so (and a reset code only when
resetting). Sending is limited per client address and per number; a code allows 5 tries in 10 minutes."""
from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from domain.kernel.errors import InvalidInputError
from domain.kernel.text import mask_phone, normalise_phone
from web.http import client_address, services

SENDS_PER_NUMBER, NUMBER_WINDOW = 3, timedelta(minutes=15)
SENDS_PER_CLIENT, CLIENT_WINDOW = 10, timedelta(hours=1)

TEXTS = {
    "signup": "【邻里】您的注册验证码是 {code}，10 分钟内有效。如非本人操作，请忽略本短信。",
    "reset": "【邻里】您正在找回密码，验证码是 {code}，10 分钟内有效。如非本人操作，请忽略本短信。",
    "phone": "【邻里】您正在把账号的手机号换成本号码，验证码是 {code}，10 分钟内有效。",
    "registered": "【邻里】本号码已注册邻里账号，请直接登录；如忘记密码，请在登录页选择“忘记密码”。",
    "unknown": "【邻里】本号码尚未注册邻里账号，无法找回密码；如需使用，请先注册。",
}


class TooManyCodes(InvalidInputError):
    """Codes were asked for too often from this address or for this number."""

    status = 429
    message = "发送过于频繁，请 {minutes} 分钟后再试"


def send_code(request: Request, phone_text: str, purpose: str) -> str:
    """Send the code for `purpose` ("signup", "reset", "phone") if the number's state allows it, else the message
    saying why; returns the masked number for the page. InvalidInputError for a malformed number."""
    svc, throttle = services(request), request.app.state.throttle
    phone = normalise_phone(phone_text[:40])
    phone_key = svc.app.phone_key(phone)
    limits = ((f"sms-client:{client_address(request)}", SENDS_PER_CLIENT, CLIENT_WINDOW),
              (f"sms-number:{phone_key}", SENDS_PER_NUMBER, NUMBER_WINDOW))
    wait = max(throttle.wait(key) for key, _, _ in limits)
    if wait:
        raise TooManyCodes(minutes=max(1, -(-wait // 60)))
    for key, limit, window in limits:
        throttle.hit(key, limit, window)
    registered = svc.app.accounts.account_id_for(phone) is not None
    if purpose == "reset" and not registered:
        text = TEXTS["unknown"]
    elif purpose in ("signup", "phone") and registered:
        text = TEXTS["registered"]
    else:
        text = TEXTS[purpose].format(code=request.app.state.codes.issue(phone_key, purpose))
    request.app.state.sms.send(phone, text)
    return mask_phone(phone)


def code_ok(request: Request, phone: str, purpose: str, code: str) -> bool:
    """The code sent to `phone` for `purpose` (used up when right)."""
    return request.app.state.codes.check(services(request).app.phone_key(phone), purpose, code)
