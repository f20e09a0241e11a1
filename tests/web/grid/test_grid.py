"""Grid service through the forms: a worker sets up grids, a resident reports with a photo, the grid worker takes it
on and escalates, the community resolves, the resident rates; overdue flags follow the application clock; unanswered
requests close as not rated when pages are read; the visit diary files requests on a household's behalf; the board
shows nothing personal; residents rate their community and street; the street's assessment shows every input."""
from __future__ import annotations

import io
from uuid import UUID

from PIL import Image

from projections import grid as views
from tests.builders import command_id
from tests.web.grid.builders import (events, jpeg_with_gps, png_bytes, refused_and_nothing_recorded, submitted)


def test_a_worker_sets_up_grids_areas_workers_categories_and_limits_through_the_forms(web, places, worker):
    base = f"/c/{places.community}/grid/setup"
    web.login(worker[1])
    assert web.post_form(base + "/grids", {"name": "第一网格", "command_id": command_id()}).status_code == 303
    grid = views.grids(web.services.views, str(places.community))[0]["id"]
    assert web.post_form(f"{base}/grids/{grid}/areas", {"building": "3 号楼", "unit": ""}).status_code == 303
    taken = refused_and_nothing_recorded(web, lambda: web.post_form(f"{base}/grids/{grid}/areas",
                                                                   {"building": "3号楼", "unit": ""}), 409)
    assert "3号楼已划入「第一网格」" in taken.text
    assert web.post_form(f"{base}/grids/{grid}/workers", {"phone": worker[1]}).status_code == 303
    refused_and_nothing_recorded(web, lambda: web.post_form(f"{base}/grids/{grid}/workers",
                                                            {"phone": "13911112222"}), 404)
    assert web.post_form(base + "/categories", {"name": "电梯故障", "resolve_hours": "24"}).status_code == 303
    assert web.post_form(base + "/limits", {"accept_hours": "１２"}).status_code == 303
    refused_and_nothing_recorded(web, lambda: web.post_form(base + "/limits", {"accept_hours": "0"}), 422)
    refused_and_nothing_recorded(web, lambda: web.post_form(base + "/limits", {"accept_hours": "1e3"}), 422)
    page = web.get(base).text
    assert "第一网格" in page and "3 号楼" in page and "李社工" in page and "电梯故障" in page
    assert views.accept_hours(web.services.views, str(places.community)) == 12


def test_a_resident_reports_with_a_photo_that_only_the_right_people_see_without_its_gps(site):
    site.as_user(site.resident)
    new = site.web.get(f"{site.base}/new").text
    assert 'value="3号楼"' in new and 'value="2单元"' in new            # their home, from joining
    request_id = submitted(site, site.submit(photo=jpeg_with_gps(), filename="IMG_0001.JPG"))
    page = site.web.get(site.request_url(request_id)).text
    assert "3 号楼 2 单元门口路灯不亮" in page and f"/requests/{request_id}/photo" in page
    photo = site.web.get(site.request_url(request_id) + "/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert "no-store" in photo.headers["cache-control"]
    kept = Image.open(io.BytesIO(photo.content))
    assert kept.format == "JPEG" and not kept.getexif() and b"Exif" not in photo.content
    assert b"PhoneMaker" not in photo.content
    for person, status in ((site.grid_worker, 200), (site.worker, 200), (site.official, 200),
                           (site.neighbour, 403), (site.other_grid_worker, 403)):
        site.as_user(person)
        assert site.web.get(site.request_url(request_id) + "/photo").status_code == status, person
        assert site.web.get(site.request_url(request_id)).status_code == status
    site.as_user(None)
    assert site.web.get(site.request_url(request_id) + "/photo", follow_redirects=False).status_code == 303


def test_grid_worker_accepts_escalates_community_resolves_resident_rates(site):
    site.as_user(site.resident)
    request_id = submitted(site, site.submit())
    url = site.request_url(request_id)
    site.as_user(site.grid_worker)
    queue = site.web.get(f"{site.base}/queue").text
    assert url in queue
    assert site.post(url + "/accept").status_code == 303
    assert site.post(url + "/escalate", {"reason": "需要社区协调物业"}).status_code == 303
    site.as_user(site.worker)
    assert site.post(url + "/resolve", {"note": "已更换灯泡"}).status_code == 303
    site.as_user(site.resident)
    page = site.web.get(url).text
    assert "问题解决了吗？" in page and "需要社区协调物业" in page and "已更换灯泡" in page
    assert site.post(url + "/rate", {"rating": "satisfied", "comment": "很快"}).status_code == 303
    row = views.request(site.web.services.views, request_id)
    assert (row["status"], row["rating"], row["max_level"]) == ("closed", "satisfied", "community")
    twice = refused_and_nothing_recorded(site.web, lambda: site.post(url + "/rate", {"rating": "satisfied"}), 409)
    assert "该诉求当前为「已关闭」，不能进行此操作" in twice.text


def test_rating_someone_elses_request_and_escalating_past_the_street_are_refused(site):
    site.as_user(site.resident)
    request_id = submitted(site, site.submit())
    url = site.request_url(request_id)
    app = site.web.services.app
    app.grid.escalate(site.worker[0], UUID(request_id), "社区协调")
    app.grid.escalate(site.worker[0], UUID(request_id), "街道协调")
    app.grid.accept(site.official[0], UUID(request_id))
    site.web.services.runner.catch_up()
    site.as_user(site.official)
    assert "上报街道" not in site.web.get(url).text.split("办理经过")[1]    # no escalate button at the street
    past = refused_and_nothing_recorded(site.web, lambda: site.post(url + "/escalate", {"reason": "再往上"}), 409)
    assert "诉求最高上报至街道，不能再上报" in past.text
    assert site.post(url + "/resolve", {"note": "街道协调解决"}).status_code == 303
    site.as_user(site.neighbour)
    refused_and_nothing_recorded(site.web, lambda: site.post(url + "/rate", {"rating": "satisfied"}), 403)


def test_overdue_requests_are_flagged_by_the_application_clock(site, clock):
    site.as_user(site.resident)
    request_id = submitted(site, site.submit())
    site.as_user(site.worker)
    assert "受理超时" not in site.web.get(f"{site.base}/requests").text
    clock.advance(hours=25)
    dashboard = site.web.get(f"{site.base}/requests").text
    assert "超时未办（1 条）" in dashboard and "受理超时" in dashboard
    site.as_user(site.grid_worker)
    assert "受理超时" in site.web.get(f"{site.base}/queue").text
    assert site.post(site.request_url(request_id) + "/accept").status_code == 303
    clock.advance(hours=120)
    assert "办理超时" in site.web.get(site.request_url(request_id)).text


def test_an_unanswered_resolution_closes_as_not_rated_when_a_page_is_read(site, clock):
    site.as_user(site.resident)
    request_id = submitted(site, site.submit())
    app = site.web.services.app
    app.grid.accept(site.grid_worker[0], UUID(request_id))
    app.grid.resolve(site.grid_worker[0], UUID(request_id), "已修好")
    site.web.services.runner.catch_up()
    clock.advance(days=7, minutes=1)
    before = events(site.web)
    page = site.web.get(f"{site.base}").text
    assert "7 天未评价，关闭（未评价）" in page
    assert events(site.web) == before + 1
    site.web.get(f"{site.base}")
    assert events(site.web) == before + 1                             # once
    row = views.request(site.web.services.views, request_id)
    assert (row["status"], row["rating"]) == ("closed", None)


def test_the_visit_diary_files_a_request_on_the_households_behalf(site):
    site.as_user(site.grid_worker)
    grid_url = f"{site.base}/grids/{site.grid}"
    page = site.web.get(grid_url).text
    assert "王*" in page and "李邻居" not in page                    # households masked; the neighbour has no home
    assert site.post(grid_url + "/visits", {"visited_on": "2026-05-01", "household_id": str(site.resident[0]),
                                            "place": "", "raised": "楼梯扶手松动"}).status_code == 303
    visit = views.visits(site.web.services.views, site.grid)[0]
    form = site.web.get(f"{site.base}/visits/{visit['id']}/request").text
    assert "楼梯扶手松动" in form and 'value="3号楼"' in form
    response = site.post(f"{site.base}/visits/{visit['id']}/request",
                         {"category_id": "2", "description": "楼梯扶手松动", "building": "3号楼", "unit": "2单元"})
    request_id = submitted(site, response)
    assert "网格员代办" in site.web.get(site.request_url(request_id)).text
    refused_and_nothing_recorded(site.web, lambda: site.post(
        f"{site.base}/visits/{visit['id']}/request", {"category_id": "2", "description": "再来一次",
                                                       "building": "3号楼"}), 403)
    site.as_user(site.resident)
    assert site.request_url(request_id) in site.web.get(site.base).text   # in the household's own list


def test_the_public_board_shows_category_building_and_days_only(site, clock):
    site.as_user(site.resident)
    request_id = submitted(site, site.submit({"description": "秘密内容在这里", "unit": "2单元"}))
    app = site.web.services.app
    app.grid.accept(site.grid_worker[0], UUID(request_id))
    clock.advance(days=2)
    app.grid.resolve(site.grid_worker[0], UUID(request_id), "已处理好了")
    private = submitted(site, site.submit({"description": "不公开的", "public": ""}))
    app.grid.accept(site.grid_worker[0], UUID(private))
    app.grid.resolve(site.grid_worker[0], UUID(private), "好")
    site.web.services.runner.catch_up()
    site.as_user(None)
    board = site.web.get(f"{site.base}/board").text
    assert "设施维修" in board and "3号楼" in board and "2 天" in board
    for secret in ("秘密内容", "2单元", "王居民", "已处理好了", "不公开的"):
        assert secret not in board


def test_residents_rate_their_community_and_street_once_a_quarter(site):
    site.as_user(site.resident)
    page = site.web.get(site.base).text
    assert "您对江苏路社区的评分" in page and "您对宁海路街道的评分" in page
    assert site.post(f"{site.base}/ratings", {"kind": "community", "score": "5", "comment": "好"}).status_code == 303
    twice = refused_and_nothing_recorded(site.web, lambda: site.post(f"{site.base}/ratings",
                                                                     {"kind": "community", "score": "4"}), 409)
    assert "每季度只能评价一次" in twice.text
    refused_and_nothing_recorded(site.web, lambda: site.post(f"{site.base}/ratings",
                                                             {"kind": "street", "score": "6"}), 422)
    assert "本季度您已评价过江苏路社区，谢谢！" in site.web.get(site.base).text
    site.as_user(site.worker)
    refused_and_nothing_recorded(site.web, lambda: site.post(f"{site.base}/ratings",
                                                             {"kind": "community", "score": "5"}), 403)


def test_the_assessment_shows_weights_every_input_the_score_and_drills_down(site):
    app = site.web.services.app
    site.as_user(site.resident)
    request_id = UUID(submitted(site, site.submit()))
    app.grid.accept(site.grid_worker[0], request_id)
    app.grid.resolve(site.grid_worker[0], request_id, "好了")
    app.grid.rate(site.resident[0], request_id, "satisfied")
    app.grid.rate_place(site.resident[0], site.places.community, "community", 4)
    site.web.services.runner.catch_up()
    site.as_user(site.official)
    street = f"/s/{site.places.street}/grid"
    page = site.web.get(street + "/assessment?period=2026Q2").text
    assert "社区：居民评价 70%，履职情况 30%" in page and "街道：居民评价 50%" in page
    assert "100.0%" in page and "80.0 × 70%" in page and "100.0 × 30%" in page and "86.0" in page
    refused_and_nothing_recorded(site.web, lambda: site.post(street + "/weights", {
        "kind": "community", "period": "2026Q2", "percent": "60"}), 422)
    refused_and_nothing_recorded(site.web, lambda: site.post(street + "/weights", {
        "kind": "street", "period": "2026Q2", "percent": "80"}), 403)
    assert site.post(street + "/weights", {"kind": "community", "period": "2026Q2", "percent": "80%"}).status_code == 303
    assert "社区：居民评价 80%，履职情况 20%" in site.web.get(street + "/assessment?period=2026Q2").text
    drill = site.web.get(street + f"/figures?figure=response&period=2026Q2&place={site.places.community}").text
    assert site.request_url(request_id) in drill and "计入" in drill and "#" in drill
    ratings = site.web.get(street + f"/figures?figure=ratings&period=2026Q2&place={site.places.community}").text
    assert "平均分 4.00（1 人评价）" in ratings and "王居民" not in ratings
    assert site.web.get(street + "/figures?figure=response&place=nowhere").status_code == 404
    assert site.web.get(street + "/assessment?period=2026Q9").status_code == 422
    site.as_user(site.worker)
    assert site.web.get(street + "/assessment").status_code == 403
    figures = site.web.get(f"{site.base}/figures?figure=satisfaction&period=2026Q2").text
    assert site.request_url(request_id) in figures


def test_a_street_official_sees_escalated_requests_and_the_communities_side_by_side(site):
    app = site.web.services.app
    site.as_user(site.resident)
    request_id = submitted(site, site.submit())
    app.grid.escalate(site.worker[0], UUID(request_id), "社区协调")
    app.grid.escalate(site.worker[0], UUID(request_id), "需要街道")
    site.web.services.runner.catch_up()
    site.as_user(site.official)
    page = site.web.get(f"/s/{site.places.street}/grid").text
    assert "上报街道的诉求（1 条）" in page and site.request_url(request_id) in page
    assert "江苏路社区" in page and "颐和路社区" in page
    home = site.web.get("/").text
    assert f"/s/{site.places.street}/grid" in home
    street_table = site.web.get(f"/s/{site.places.street}").text
    assert "诉求：未办结 / 超时" in street_table and "1 / 0" in street_table


def test_my_data_lists_my_requests_and_ratings_and_erasure_blanks_them(site):
    site.as_user(site.resident)
    request_id = submitted(site, site.submit({"description": "我家门口漏水"}, photo=png_bytes()))
    site.post(f"{site.base}/ratings", {"kind": "street", "score": "3", "comment": "一般"})
    data = site.web.get("/me/data").text
    assert "我家门口漏水" in data and "一般" in data
    app = site.web.services.app
    app.accounts.erase_person(site.resident[0])
    site.web.services.runner.catch_up()
    site.web.client.cookies.clear()                 # the erased person's session is gone with them
    site.web.login(site.worker[1])
    page = site.web.get(site.request_url(request_id)).text
    assert "我家门口漏水" not in page and "（已删除）" in page
    assert site.web.get(site.request_url(request_id) + "/photo").status_code == 404
    assert views.photo(site.web.services.views, request_id) is None


def test_the_overview_card_counts_open_requests(site, clock):
    site.as_user(site.resident)
    submitted(site, site.submit())
    clock.advance(hours=30)
    card = site.web.get(f"/c/{site.places.community}").text
    assert "正在办理 1 条" in card and "超时 1 条" in card
