"""A person's own account: a forgotten password, a new password, a new number, their data, and deleting it all.

Each change of credentials ends every session of the account (a new one starts for the browser that made it).
Deleting the account is the same crypto-shredding as `linli erase`: the person's key is deleted, every view
blanked, and the files scrubbed, while counts, hours, amounts and tallies stay."""
from __future__ import annotations

import json
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError
from domain.kernel.text import mask_phone, normalise_phone
from web.accounts import phones
from web.contexts import titled_contributions
from web.http import (SESSION_COOKIE, Form, action, command, error_text, log_in, me, page, parse_uuid, redirect,
                      render, services, url_for)
from web.passwords import check_password, hash_password, verify_password


def _new_password(form: Form) -> str:
    if form.get("password", "") != form.get("password2", ""):
        raise InvalidInputError("两次输入的密码不一致")
    return check_password(form.get("password", ""))


def _restart_sessions(request: Request, account_id: str, to: str, flash: str) -> Response:
    """End every session of the account, then start one for this browser."""
    request.app.state.sessions.end_all(account_id)
    return log_in(request, account_id, to, flash)


# --- a forgotten password ----------------------------------------------------------------------------------
def _forgot_page(request: Request, form: Form | None = None, *, status_code: int = 200, error: str | None = None,
                 sent_to: str | None = None) -> Response:
    return render(request, "accounts/forgot.html", status_code=status_code, phone=(form or {}).get("phone", ""),
                  error=error, sent_to=sent_to)


@page(public=True)
def forgot_form(request: Request) -> Response:
    return _forgot_page(request)


@action(public=True)
def forgot_code(request: Request, form: Form) -> Response:
    """Text a reset code (the same answer whether or not the number has an account)."""
    try:
        sent_to = phones.send_code(request, form.get("phone", ""), "reset")
    except InvalidInputError as e:
        return _forgot_page(request, form, status_code=e.status, error=error_text(request, e))
    return _forgot_page(request, form, sent_to=sent_to)


@action(public=True)
def reset_password(request: Request, form: Form) -> Response:
    """A new password for the number whose code was right; every session of the account ends."""
    accounts = services(request).app.accounts
    try:
        phone = normalise_phone(form.get("phone", "")[:40])
        password = _new_password(form)
        if not phones.code_ok(request, phone, "reset", form.get("code", "")):
            raise InvalidInputError("验证码不正确或已过期，请重新获取")
        account_id = accounts.account_id_for(phone)
        if account_id is None:   # the code exists only for a registered number; it may have gone since
            raise InvalidInputError("验证码不正确或已过期，请重新获取")
        command(request, accounts.change_password, account_id, hash_password(password),
                command_id=form.get("command_id") or None)
    except InvalidInputError as e:
        return _forgot_page(request, form, status_code=e.status, error=error_text(request, e))
    return _restart_sessions(request, str(account_id), "/", "密码已重设，其他设备上的登录已退出")


# --- my account ------------------------------------------------------------------------------------------------
@page
def account_page(request: Request) -> Response:
    return render(request, "accounts/me.html", masked_phone=mask_phone(me(request).phone), error=None)


def _check_current_password(request: Request, form: Form) -> None:
    """The person typed their password again (guessing it from a borrowed session is limited like a login)."""
    throttle, key = request.app.state.throttle, f"password:{me(request).account_id}"
    if throttle.wait(key):
        raise NotAllowedError("尝试次数过多，请稍后再试")
    record = services(request).app.accounts.login_record(me(request).phone)
    if record is None or not verify_password(record.password_hash, form.get("current_password", "")):
        throttle.hit(key, 5, timedelta(minutes=15), growing=True)
        raise NotAllowedError("当前密码不正确")


@action
def change_password(request: Request, form: Form) -> Response:
    try:
        _check_current_password(request, form)
        password = _new_password(form)
        command(request, services(request).app.accounts.change_password, parse_uuid(me(request).account_id),
                hash_password(password), command_id=form.get("command_id") or None)
    except (InvalidInputError, NotAllowedError) as e:
        return render(request, "accounts/me.html", status_code=e.status, masked_phone=mask_phone(me(request).phone),
                      error=error_text(request, e))
    return _restart_sessions(request, me(request).account_id, url_for(request, "my_account"),
                             "密码已修改，其他设备上的登录已退出")


@action
def new_phone_code(request: Request, form: Form) -> Response:
    """Text a code to the new number (someone else's number gets a message saying it is registered)."""
    try:
        sent_to = phones.send_code(request, form.get("phone", ""), "phone")
    except InvalidInputError as e:
        return render(request, "accounts/me.html", status_code=e.status, masked_phone=mask_phone(me(request).phone),
                      error=error_text(request, e), new_phone=form.get("phone", ""))
    return render(request, "accounts/me.html", masked_phone=mask_phone(me(request).phone), error=None,
                  sent_to=sent_to, new_phone=form.get("phone", ""))


@action
def change_phone(request: Request, form: Form) -> Response:
    try:
        _check_current_password(request, form)
        phone = normalise_phone(form.get("phone", "")[:40])
        if not phones.code_ok(request, phone, "phone", form.get("code", "")):
            raise InvalidInputError("验证码不正确或已过期，请重新获取")
        command(request, services(request).app.accounts.change_phone, parse_uuid(me(request).account_id), phone,
                command_id=form.get("command_id") or None)
    except (InvalidInputError, NotAllowedError, ConflictError) as e:
        return render(request, "accounts/me.html", status_code=e.status, masked_phone=mask_phone(me(request).phone),
                      error=error_text(request, e), new_phone=form.get("phone", ""))
    return _restart_sessions(request, me(request).account_id, url_for(request, "my_account"),
                             "手机号已更换，请以后用新号码登录")


# --- my data -----------------------------------------------------------------------------------------------
def my_data(request: Request) -> dict:
    """Everything Linli holds about the person asking, context by context."""
    return {title: hook(request) for title, hook in titled_contributions("my_data")}


@page
def data_page(request: Request) -> Response:
    return render(request, "accounts/my_data.html", data=my_data(request))


@page
def data_json(request: Request) -> Response:
    body = json.dumps(my_data(request), ensure_ascii=False, indent=1, default=str)
    return Response(body, media_type="application/json; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="linli-my-data.json"', "Cache-Control": "no-store"})


# --- deleting my account -------------------------------------------------------------------------------------
@action
def delete_account(request: Request, form: Form) -> Response:
    """The person erases themself: confirmed with their password and a tick; then as `linli erase`."""
    svc = services(request)
    try:
        _check_current_password(request, form)
        if form.get("confirm") != "yes":
            raise InvalidInputError("请勾选确认：删除后无法恢复")
    except (InvalidInputError, NotAllowedError) as e:
        return render(request, "accounts/me.html", status_code=e.status, masked_phone=mask_phone(me(request).phone),
                      error=error_text(request, e))
    account_id = me(request).account_id
    command(request, svc.app.accounts.erase_person, parse_uuid(account_id))
    request.app.state.sessions.end_all(account_id)
    svc.scrub()
    response = redirect(request, "/", "您的账号和个人信息已删除")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


routes = [
    Route("/password/forgot", forgot_form, methods=["GET"], name="forgot_password"),
    Route("/password/forgot/code", forgot_code, methods=["POST"], name="forgot_password_code"),
    Route("/password/forgot", reset_password, methods=["POST"], name="reset_password"),
    Route("/me", account_page, methods=["GET"], name="my_account"),
    Route("/me/password", change_password, methods=["POST"], name="change_password"),
    Route("/me/phone/code", new_phone_code, methods=["POST"], name="new_phone_code"),
    Route("/me/phone", change_phone, methods=["POST"], name="change_phone"),
    Route("/me/data", data_page, methods=["GET"], name="my_data"),
    Route("/me/data.json", data_json, methods=["GET"], name="my_data_json"),
    Route("/me/delete", delete_account, methods=["POST"], name="delete_account"),
]
