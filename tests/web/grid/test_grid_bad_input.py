"""Bad input on every grid form gets a 4xx (or a safe rendering), never a 5xx, and records nothing: markup, control
characters, huge and odd values, another community's ids, missing CSRF, and photos that are not images, too large,
or crafted (decompression bombs, polyglots, markup hidden in metadata)."""
from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from tests.builders import Clock, WebClient, command_id
from tests.web.grid.builders import grid_web, png_bytes, refused_and_nothing_recorded, submitted

SVG = "<svg onload=alert(1)>"


def test_markup_in_every_text_is_shown_escaped(site):
    site.as_user(site.resident)
    request_id = submitted(site, site.submit({"description": SVG + '" onmouseover="x', "place": "</script>",
                                              "building": "3号楼"}))
    site.as_user(site.grid_worker)
    url = site.request_url(request_id)
    assert site.post(url + "/accept").status_code == 303
    assert site.post(url + "/escalate", {"reason": SVG}).status_code == 303
    site.as_user(site.worker)
    page = site.web.get(url).text
    assert SVG not in page and "&lt;svg onload=alert(1)&gt;" in page and "</script>" not in page.split("<main")[1]
    listing = site.web.get(f"{site.base}/requests").text
    assert "&lt;/script&gt;" in listing and "</script>" not in listing.split("<main")[1]


@pytest.mark.parametrize("field, value, status", [
    ("description", "", 422), ("description", "路灯\u202e不亮", 422), ("description", "坏\x07了", 422),
    ("description", "长" * 1001, 422), ("building", "楼" * 21, 422), ("unit", "2单元\u200b", 422),
    ("place", "地" * 61, 422), ("category_id", "99", 404), ("category_id", "", 404), ("category_id", "1; DROP", 404),
])
def test_bad_fields_of_a_report_are_refused_and_nothing_recorded(site, field, value, status):
    site.as_user(site.resident)
    response = refused_and_nothing_recorded(site.web, lambda: site.submit({field: value}), status)
    assert "<form" in response.text                         # the form again, with what was typed


def test_a_report_needs_a_building_or_a_place(site):
    site.as_user(site.resident)
    refused_and_nothing_recorded(site.web, lambda: site.submit({"building": "", "unit": "", "place": ""}), 422)


def _png_with_text(text: bytes) -> bytes:
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text.decode())
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")       # 100 megapixels in about 12 KB
    return out.getvalue()


def _jpeg_with_comment(comment: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "JPEG", comment=comment)
    return out.getvalue()


@pytest.mark.parametrize("name, photo", [
    ("text", b"just some text, not a photo"),
    ("html", b"<html><script>alert(1)</script></html>"),
    ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("truncated png", png_bytes()[:60]),
    ("png then zip", png_bytes() + b"PK\x03\x04" + b"\x00" * 40),
    ("png then html", png_bytes() + b"<html><script>alert(1)</script>"),
    ("markup in png text", _png_with_text(b"<script>alert(1)</script>")),
    ("markup in jpeg comment", _jpeg_with_comment(b"<svg onload=alert(1)>")),
    ("decompression bomb", _bomb()),
])
def test_photos_that_are_not_plain_images_are_refused_and_nothing_recorded(site, name, photo):
    site.as_user(site.resident)
    response = refused_and_nothing_recorded(site.web, lambda: site.submit(photo=photo), 422)
    assert "照片无法使用" in response.text


def test_more_than_one_file_or_a_file_in_another_field_is_refused(site):
    site.as_user(site.resident)
    body = {"csrf_token": site.web.csrf, "command_id": command_id(), "category_id": "1", "description": "x",
            "building": "3号楼"}
    two = [("photo", ("a.png", png_bytes(), "image/png")), ("photo", ("b.png", png_bytes(), "image/png"))]
    refused_and_nothing_recorded(site.web, lambda: site.web.client.post(
        f"{site.base}/requests", data=body, files=two, follow_redirects=False), 400)
    refused_and_nothing_recorded(site.web, lambda: site.web.client.post(
        f"{site.base}/requests", data=body, files={"description": ("d.txt", b"x", "text/plain")},
        follow_redirects=False), 400)


def test_a_report_without_the_csrf_token_is_refused(site):
    site.as_user(site.resident)
    refused_and_nothing_recorded(site.web, lambda: site.web.client.post(
        f"{site.base}/requests", data={"category_id": "1", "description": "x", "building": "3号楼"},
        files={"photo": ("", b"", "application/octet-stream")}, follow_redirects=False), 403)


def test_a_body_over_the_deployments_limit_is_refused_before_it_is_read(site):
    site.as_user(site.resident)
    big = b"\xff\xd8\xff" + os.urandom(300 * 1024)
    refused_and_nothing_recorded(site.web, lambda: site.submit(photo=big), 413)


@pytest.fixture
def roomy_web(tmp_path):
    """The web app with an 8 MB body limit (LINLI_MAX_BODY_BYTES), as a deployment taking phone photos sets it."""
    from starlette.testclient import TestClient

    from web.app import create_app
    from web.settings import Settings
    from web.wiring import build
    env = {"LINLI_DATA_DIR": str(tmp_path / "data"), "LINLI_PROJECTIONS": "inline",
           "LINLI_MAX_BODY_BYTES": str(8 * 1024 * 1024)}
    svc = build(Settings.from_env(env))
    svc.app.clock = Clock()
    with TestClient(create_app(env, services=svc), base_url="http://127.0.0.1") as client:
        client.services = svc
        yield WebClient(client)
    svc.close()


def test_a_photo_over_5_mb_is_refused_when_the_body_limit_lets_it_through(roomy_web):
    from tests.builders import Places, web_person
    places = Places(roomy_web.services.app)
    roomy_web.services.runner.catch_up()
    site = grid_web(roomy_web, places, web_person(roomy_web, "worker", places.community, "李社工"))
    site.as_user(site.resident)
    big = b"\xff\xd8\xff" + os.urandom(5 * 1024 * 1024)
    response = refused_and_nothing_recorded(roomy_web, lambda: site.submit(photo=big), 422)
    assert "照片不能超过 5 MB" in response.text
    noisy = io.BytesIO()
    Image.effect_noise((2400, 1800), 60).convert("RGB").save(noisy, "JPEG", quality=95)
    assert 1024 * 1024 < len(noisy.getvalue()) <= 5 * 1024 * 1024
    request_id = submitted(site, site.submit(photo=noisy.getvalue()))
    kept = Image.open(io.BytesIO(roomy_web.get(site.request_url(request_id) + "/photo").content))
    assert max(kept.size) == 1600                                # re-encoded, at most 1600 pixels


def test_another_communitys_ids_and_malformed_ids_find_nothing(site, web, places):
    other = f"/c/{places.other_community}/grid"
    site.as_user(site.resident)
    request_id = submitted(site, site.submit())
    site.as_user(site.worker)
    assert web.get(f"{other}/requests/{request_id}").status_code == 404
    assert web.get(f"{site.base}/requests/not-a-uuid").status_code == 404
    assert web.get(f"{site.base}/grids/{site.grid}x").status_code == 404
    refused_and_nothing_recorded(web, lambda: site.post(f"{other}/requests/{request_id}/accept"), 404)
    refused_and_nothing_recorded(web, lambda: site.post(f"{site.base}/requests/{request_id}/merge",
                                                        {"primary_id": "nope"}), 404)
    refused_and_nothing_recorded(web, lambda: site.post(f"{other}/setup/grids/{site.grid}/areas",
                                                        {"building": "9号楼"}), 403)


@pytest.mark.parametrize("score", ["五", "1e1", "", "0", "-1", "3.5", "NaN", "５５"])
def test_odd_scores_are_refused(site, score):
    site.as_user(site.resident)
    refused_and_nothing_recorded(site.web, lambda: site.post(f"{site.base}/ratings",
                                                             {"kind": "community", "score": score}), 422)


@pytest.mark.parametrize("percent", ["NaN", "70.5", "-80", "1e2", "", "１０１"])
def test_odd_weights_are_refused(site, percent):
    site.as_user(site.official)
    refused_and_nothing_recorded(site.web, lambda: site.post(f"/s/{site.places.street}/grid/weights", {
        "kind": "community", "period": "2026Q2", "percent": percent}), 422)


@pytest.mark.parametrize("hours", ["24h", "-1", "1.5", "99999", "", "0"])
def test_odd_time_limits_are_refused(site, hours):
    site.as_user(site.worker)
    refused_and_nothing_recorded(site.web, lambda: site.post(f"{site.base}/setup/limits", {"accept_hours": hours}),
                                 422)
    refused_and_nothing_recorded(site.web, lambda: site.post(f"{site.base}/setup/categories",
                                                             {"name": "新类别", "resolve_hours": hours}), 422)


def test_odd_diary_entries_are_refused(site):
    site.as_user(site.grid_worker)
    url = f"{site.base}/grids/{site.grid}/visits"
    for data, status in (({"visited_on": "2026-13-01", "raised": "x", "place": "门口"}, 422),
                         ({"visited_on": "2030-01-01", "raised": "x", "place": "门口"}, 422),
                         ({"visited_on": "2026-05-01", "raised": "", "place": "门口"}, 422),
                         ({"visited_on": "2026-05-01", "raised": "x", "household_id": "nope"}, 404),
                         ({"visited_on": "2026-05-01", "raised": "x",
                           "household_id": "00000000-0000-0000-0000-000000000000"}, 404)):
        refused_and_nothing_recorded(site.web, lambda d=data: site.post(url, d), status)
