"""The demo's grid service: two grids of 江苏路社区（演示） with their grid workers, requests in every state (closed and
rated, escalated to the community and to the street, waiting for the resident's answer, overdue, fresh, closed as
not rated, merged, and one made on a household's behalf from the visit diary), and this quarter's ratings of both
communities and the street. Everything goes through the use cases, with the application's clock moved back."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.grid.model import period_bounds, period_of
from domain.kernel.errors import ConflictError
from domain.kernel.time import local_date
from web.passwords import hash_password

DEMO_PASSWORD = "linli-demo-2026"   # the demo's one password (web/demo.py)
NEIGHBOURS = [("13800000011", "陈阿姨（演示）", "3号楼", "1单元"), ("13800000012", "刘大爷（演示）", "5号楼", "2单元"),
              ("13800000013", "黄女士（演示）", "7号楼", "1单元"), ("13800000014", "杨先生（演示）", "9号楼", "3单元")]


def seed(svc: Any, demo: Any) -> None:
    """Seed grids, requests and ratings in the demo communities."""
    app = svc.app
    real_clock = app.clock
    now = real_clock()
    worker, resident, official = (demo.person(p) for p in ("13800000002", "13800000001", "13800000005"))
    helper, other_worker = demo.person("13800000003"), demo.person("13800000007")
    # Everything happens this quarter (the assessment's default period), at most 20 days ago.
    start = max(now - timedelta(days=20), period_bounds(period_of(now))[0] + timedelta(hours=1))
    span = now - start

    def at(fraction: float) -> datetime:
        return start + span * fraction

    def clock_at(moment: datetime) -> None:
        app.clock = lambda: moment

    try:
        clock_at(at(0.0))
        first = app.grid.define_grid(worker, demo.c1, "第一网格")
        second = app.grid.define_grid(worker, demo.c1, "第二网格")
        for grid, buildings in ((first, ("3号楼", "5号楼")), (second, ("7号楼", "9号楼"))):
            for building in buildings:
                app.grid.assign_area(worker, demo.c1, grid, building)
        app.grid.assign_grid_worker(worker, demo.c1, first, "13800000002")
        app.grid.assign_grid_worker(worker, demo.c1, second, "13800000003")
        app.accounts.set_home(resident, resident, demo.c1, "3号楼", "2单元")
        neighbours = [_neighbour(app, worker, demo.c1, *n) for n in NEIGHBOURS]

        def submit(who, category, text, building, unit="", place="", public=True, when=0.0):
            clock_at(at(when))
            return app.grid.submit_request(who, demo.c1, category, text, building, unit, place, public)

        def step(when, fn, *args):
            clock_at(at(when))
            fn(*args)

        lamp = submit(resident, "2", "3 号楼 2 单元门口的路灯不亮，晚上出入很黑。", "3号楼", "2单元", when=0.05)
        step(0.06, app.grid.accept, worker, lamp)
        step(0.10, app.grid.resolve, worker, lamp, "已联系物业更换灯泡，路灯恢复照明。")
        step(0.12, app.grid.rate, resident, lamp, "satisfied", "修得很快，谢谢网格员！")

        clutter = submit(neighbours[1], "1", "5 号楼楼道堆放杂物，影响消防通道。", "5号楼", "2单元", when=0.15)
        step(0.16, app.grid.accept, worker, clutter)
        step(0.18, app.grid.escalate, worker, clutter, "杂物属多户所有，需要社区出面协调清理。")
        step(0.25, app.grid.resolve, worker, clutter, "社区组织楼道清理，已恢复消防通道畅通。")
        step(0.27, app.grid.rate, neighbours[1], clutter, "basically", "清理了，希望以后常检查。")

        unanswered = submit(neighbours[2], "2", "7 号楼单元门禁坏了。", "7号楼", "1单元", when=0.20)
        step(0.21, app.grid.accept, helper, unanswered)
        step(0.30, app.grid.resolve, helper, unanswered, "门禁已维修。")
        if now - at(0.30) > timedelta(days=7):
            clock_at(now)
            app.grid.close_unanswered(unanswered)

        parking = submit(neighbours[3], "5", "小区南门外长期有车辆占用消防通道。", "", "", "小区南门", when=0.35)
        step(0.36, app.grid.accept, worker, parking)   # no building: the community has it from the start
        step(0.45, app.grid.escalate, worker, parking, "涉及市政道路，社区无法单独解决，请街道协调。")

        leak = submit(neighbours[0], "2", "3 号楼 1 单元顶楼漏水。", "3号楼", "1单元", when=0.55)
        step(0.56, app.grid.accept, worker, leak)
        clock_at(now - timedelta(hours=30))
        app.grid.resolve(worker, leak, "已请维修单位做了防水处理，请下雨后看看是否还漏。")

        garbage = submit(neighbours[2], "1", "9 号楼垃圾桶满了没人清运。", "9号楼", when=0.60)   # overdue: not taken on
        duplicate = submit(resident, "1", "9 号楼旁边垃圾堆了好几天。", "9号楼", when=0.62)
        clock_at(now - timedelta(hours=2))
        noise = app.grid.submit_request(neighbours[0], demo.c1, "4", "楼上装修每天早上 7 点就开始，太吵了。",
                                        "3号楼", "1单元", "", False)
        del noise

        clock_at(now - timedelta(days=1))
        visit = app.grid.record_visit(worker, demo.c1, first, local_date(now - timedelta(days=1)), neighbours[0],
                                      "", "陈阿姨反映 3 号楼 1 单元楼梯扶手松动，老人上下楼不安全。")
        on_behalf = app.grid.submit_for_household(worker, visit, "2", "3 号楼 1 单元楼梯扶手松动，老人上下楼不安全。",
                                                  "3号楼", "1单元")
        app.grid.accept(worker, on_behalf)
        clock_at(now - timedelta(hours=1))
        app.grid.merge(worker, duplicate, garbage)

        clock_at(now - timedelta(hours=12))
        for who, community_score, street_score in ((resident, 5, 4), (neighbours[0], 4, 4), (neighbours[1], 4, 3),
                                                   (neighbours[2], 3, 4), (neighbours[3], 5, 5), (helper, 4, 4)):
            app.grid.rate_place(who, demo.c1, "community", community_score, "")
            app.grid.rate_place(who, demo.c1, "street", street_score, "")
        app.grid.rate_place(other_worker, demo.c2, "community", 4, "社区活动丰富。")
        app.grid.set_weight(official, demo.street, period_of(now), "community", 70)
    finally:
        app.clock = real_clock


def _neighbour(app: Any, worker: Any, community: Any, phone: str, name: str, building: str, unit: str) -> Any:
    """A demo resident living in the building and unit, verified by the demo worker."""
    try:
        account_id = app.accounts.sign_up(phone, name, hash_password(DEMO_PASSWORD), community, building=building,
                                          unit=unit)
    except ConflictError:
        return app.accounts.account_id_for(phone)
    app.accounts.verify_residency(worker, account_id, community)
    return account_id

