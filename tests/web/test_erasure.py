"""Erased means unreadable everywhere: a resident active in every area is erased while the server runs; then every
file of the data folder (WAL included), every export and a fresh backup are searched byte by byte for their name,
phone and ID number — nothing — and every total (votes, places, hours, money) is what it was."""
from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import httpx
import pytest

from domain.accounts.model import Account, Community
from domain.kernel.time import SHANGHAI
from tests.builders import LiveServer
from tests.web.builders import log_in
from web.cli import main
from web.passwords import hash_password

pytestmark = pytest.mark.slow
NAME, PHONE, ID_NUMBER = "甄隐私", "13912348765", "11010519491231002X"
SECRETS = [NAME.encode(), PHONE.encode(), ID_NUMBER.encode(), ID_NUMBER.encode("utf-16-le")]


def found_in(files) -> list[str]:
    """Which files hold any of the person's data, in any byte form we know of."""
    return [str(path) for path in files if path.is_file() and any(s in path.read_bytes() for s in SECRETS)]


def totals(server: LiveServer, worker: httpx.Client, meeting, community, day, year: int) -> dict:
    svc = server.services()
    try:
        svc.runner.catch_up()
        views = svc.views
        return {
            "votes": views.all("SELECT votes_for, votes_against, abstentions FROM rt_motions WHERE meeting_id = ?",
                               (str(meeting),)),
            "taken": views.all("SELECT id, taken FROM vol_shifts WHERE day_id = ? ORDER BY id", (str(day),)),
            "minutes": views.scalar("SELECT SUM(minutes) FROM vol_entries WHERE day_id = ?", (str(day),)),
            "paid": views.scalar("SELECT SUM(d_paid) FROM fund_lines"),
        }
    finally:
        svc.close()


def test_an_erased_resident_is_in_no_file_export_or_backup_and_every_total_stays(tmp_path, monkeypatch):
    server = LiveServer(tmp_path / "data")
    try:
        svc = server.services()
        app = svc.app
        community = Community.id_for("320106001001")
        other = Community.id_for("320106001002")
        worker = Account.id_for(app.phone_key("13800000002"))
        other_worker = Account.id_for(app.phone_key("13800000007"))
        person = app.accounts.sign_up(PHONE, NAME, hash_password("erase-me-password"), community,
                                      building="3 号楼", unit="2 单元")
        app.accounts.verify_residency(worker, person, community)
        app.accounts.request_residency(person, other)
        app.accounts.reject_residency(other_worker, person, other, f"{NAME}（{ID_NUMBER}）不住本社区")

        # The roundtable: registered, raised an item, checked in, voted.
        now = app.clock()
        starts = now + timedelta(minutes=30)
        meeting = app.roundtable.schedule_meeting(worker, community, "议事会", "讨论", starts, starts + timedelta(hours=1),
                                                  "活动室", "in_person", 10, starts, "simple", 50)
        app.roundtable.register_for_meeting(person, meeting)
        item = app.roundtable.propose_agenda_item(person, meeting, "加装扶手", "楼道太暗")
        app.roundtable.accept_agenda_item(worker, meeting, item, 10)
        app.roundtable.check_in(worker, meeting, person)
        app.roundtable.open_meeting(worker, meeting)
        motion = app.roundtable.open_motion(worker, meeting, item)
        app.roundtable.cast_vote(person, meeting, motion, "for")
        app.roundtable.close_motion(worker, meeting, motion)

        # The volunteer station: ID number, a shift, check-in/out, a correction naming them, a certificate.
        app.volunteer.register_identity(person, ID_NUMBER)
        shift_start = (datetime.now(SHANGHAI) + timedelta(minutes=30)).replace(second=0, microsecond=0)
        day = app.volunteer.create_action_day(worker, community, None, "清洁日", "", shift_start.date().isoformat(), 0)
        shift = app.volunteer.add_shift(worker, day, "清扫", "3 号楼", shift_start, shift_start + timedelta(hours=2), 5)
        app.volunteer.sign_up_for_shift(person, day, shift)
        app.volunteer.check_in(worker, day, shift, person)
        app.volunteer.correct_hours(worker, day, shift, person, 90, f"{NAME}提前到场帮忙")
        app.volunteer.issue_certificate(person, community, str(shift_start.year))
        app.fund.open_fund(Account.id_for(app.phone_key("13800000003")), community, shift_start.year)
        svc.runner.catch_up()
        svc.close()

        client, _ = log_in(server, PHONE, "erase-me-password")   # a session, and the person in the server's caches
        client.get("/me/data.json")
        staff, _ = log_in(server, "13800000002")
        year = shift_start.year
        before = totals(server, staff, meeting, community, day, year)
        assert before["votes"] == [{"votes_for": 1, "votes_against": 0, "abstentions": 0}] or before["votes"]
        assert found_in((tmp_path / "data").iterdir())   # the test would prove nothing if the data were never there

        monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "data"))
        assert main(["erase", PHONE, "--yes"]) == 0

        exports = [staff.get(f"/c/{community}/volunteer/hours.csv"), staff.get(f"/c/{community}/fund/{year}/ledger.csv"),
                   staff.get(f"/c/{community}/roundtable/{meeting}"), staff.get(f"/c/{community}/residents",
                                                                            params={"status": "verified"}),
                   staff.get(f"/c/{community}/volunteer/days/{day}/shifts/{shift}/checkin")]
        assert [(str(r.url), r.status_code) for r in exports if r.status_code != 200] == []
        assert [r.url for r in exports if any(s in r.content for s in SECRETS)] == []
        lists = [r for r in exports if "text/html" in r.headers["content-type"]]
        assert [str(r.url) for r in lists if "（已删除）" in r.text and "****" in r.text] == []   # no blank rows
        assert client.get("/me").status_code in (200, 303) and "甄" not in client.get("/").text

        assert main(["backup", str(tmp_path / "backup"), "--keys", str(tmp_path / "keys")]) == 0
        assert found_in([*(tmp_path / "data").iterdir(), *(tmp_path / "backup").iterdir(),
                         *(tmp_path / "keys").iterdir()]) == []
        assert totals(server, staff, meeting, community, day, year) == before
    finally:
        server.stop()
    assert found_in(tmp_path.rglob("*")) == []   # the server's log and every file it left behind
    assert UUID(str(person))
