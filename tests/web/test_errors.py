"""Failures answer in Chinese, in the layout, and never leak a traceback."""
from starlette.routing import Route
from starlette.testclient import TestClient

from domain.kernel.errors import BusyError
from web.app import create_app
from web.http import page
from web.settings import Settings
from web.wiring import build


def app_with(tmp_path, route):
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path)}))
    app = create_app({"LINLI_DATA_DIR": str(tmp_path), "LINLI_PROJECTIONS": "inline"}, services=svc)
    app.router.routes.insert(0, route)
    return app, svc


def test_an_unexpected_error_shows_the_500_page_without_details(tmp_path):
    @page(public=True)
    def boom(request):
        raise RuntimeError("secret internals /etc/passwd")

    app, svc = app_with(tmp_path, Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    svc.close()
    assert response.status_code == 500
    assert "服务器出错了" in response.text and "secret internals" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_store_too_busy_to_take_the_write_says_retry_with_503(tmp_path):
    @page(public=True)
    def busy(request):
        raise BusyError()

    app, svc = app_with(tmp_path, Route("/busy", busy))
    with TestClient(app) as client:
        response = client.get("/busy")
    svc.close()
    assert response.status_code == 503 and "系统繁忙，请稍后重试" in response.text
