"""The grants view on SQLite and PostgreSQL: the pool's figures equal the call aggregate and each drills down to its
events; the ranking's weighted means; awards, tranches and milestones; the dossier of every event; the contact and the
team unsealed until erased; names from the directory, blanked when a person is erased; and a rebuild gives the same
rows."""
from __future__ import annotations

from domain.kernel.privacy import ERASED
from projections import grants as views
from tests.builders import Places
from tests.domain.grants.builders import GOOD, NOTES, grants_case
from tests.projections.builders import snapshot

TABLES = list(views.projection.tables)


def run_a_call(svc):
    """Three projects: one completed, one stopped at the mid-term with a clawback, one proposed and rejected; a draft."""
    app = svc.app
    case = grants_case(app, Places(app))
    done = case.signed(title="长者助餐", amount="40,000")
    app.grants.submit_report(case.member, done, "midterm", "已送餐 1,200 份")
    app.grants.accept_milestone(case.district_official, done, "midterm", "评估良好")
    app.grants.release_tranche(case.street_official, done, 1)
    app.grants.submit_report(case.member2, done, "final", "全年送餐 3,000 份")
    app.grants.accept_milestone(case.street_official, done, "final")
    app.grants.release_tranche(case.district_official, done, 2)
    stopped = case.signed(org=case.other_org, title="邻里守望", amount="30,000")
    app.grants.submit_report(case.other_member, stopped, "midterm", "未开展")
    app.grants.fail_midterm(case.street_official, stopped, "未按计划开展活动", "2,000")
    declined = case.scored(title="四点半课堂", requested="20,000")
    app.grants.propose_award(case.district_official, declined, "20,000")
    app.grants.reject_award(case.street_official, declined, "与已有项目重复")
    draft = case.draft(title="还在写")
    svc.runner.catch_up()
    return case, done, stopped, declined, draft


def test_the_pool_figures_equal_the_call_and_drill_down_to_their_events(services):
    case, done, stopped, declined, draft = run_a_call(services)
    call = services.app.grants.call(case.call)
    figures = views.figures(services.views, str(case.call))
    assert figures == {"pool": call.pool, "pending": call.pending, "awarded": call.awarded,
                       "released": call.released, "clawed": call.clawed_back, "remaining": call.remaining,
                       "unreleased": call.unreleased}
    assert figures["awarded"] == 4_000_000 + 1_200_000 and figures["released"] == 4_000_000 + 1_200_000
    assert figures["clawed"] == 200_000 and figures["pending"] == 0
    for figure in views.FIGURES:
        rows = views.lines(services.views, str(case.call), figure)
        assert sum(r[f"d_{figure}"] for r in rows) == figures[figure]
    project_lines = views.lines(services.views, str(case.call), application_id=str(stopped))
    assert [r["type"] for r in project_lines] == ["AwardProposed", "AwardApproved", "MilestoneAccepted",
                                                 "TrancheReleased", "MidtermFailed", "ClawbackRecorded"]
    assert project_lines[-1]["actor_name"] == "孙街道"


def test_awards_tranches_milestones_and_the_disclosure(services):
    case, done, stopped, declined, draft = run_a_call(services)
    db = services.views
    disclosed = views.awards(db, str(case.call), "awarded")
    assert {w["title"]: (w["amount"], w["released"], w["project_status"]) for w in disclosed} == {
        "长者助餐": (4_000_000, 4_000_000, "closed"), "邻里守望": (3_000_000, 1_200_000, "stopped")}
    assert [t["status"] for t in views.tranches(db, str(stopped))] == ["released", "cancelled", "cancelled"]
    assert views.milestones(db, str(stopped))["midterm"]["status"] == "failed"
    assert views.awards(db, str(case.call), "declined")[0]["reason"] == "与已有项目重复"
    assert [p["title"] for p in views.community_projects(db, str(case.places.community))] == ["邻里守望", "长者助餐"]


def test_the_ranking_shows_weighted_means_and_every_reviewers_scores(services):
    case, done, *_ = run_a_call(services)
    rows = views.ranking(services.views, str(case.call))
    first = next(r for r in rows if r["id"] == str(done))
    assert first["mean"] == 8000 and len(first["scores"]) == 2
    assert first["scores"][0]["scores"] == {"c1": 80, "c2": 70, "c3": 90}
    assert first["scores"][0]["comments"] == NOTES
    assert {s["reviewer_name"] for s in first["scores"]} == {"评审甲", "评审乙"}
    assert all(r["status"] == "submitted" for r in rows)


def test_the_dossier_has_every_event_review_and_decision_in_order(services):
    case, done, *_ = run_a_call(services)
    types = [e["type"] for e in views.dossier(services.views, str(done))]
    assert types == ["Drafted", "Submitted", "Scored", "Scored", "AwardProposed", "AwardApproved", "MilestoneAccepted",
                     "TrancheReleased", "ReportSubmitted", "MilestoneAccepted", "TrancheReleased", "ReportSubmitted",
                     "MilestoneAccepted", "TrancheReleased"]


def test_the_reviewer_queue_leaves_out_what_was_scored(services):
    case, done, stopped, declined, draft = run_a_call(services)
    app = services.app
    waiting = case.submitted(title="新申报")
    services.runner.catch_up()
    reviewer = case.reviewers[0][0]
    assert [a["id"] for a in views.review_queue(services.views, str(reviewer))] == [str(waiting)]
    app.grants.score(reviewer, waiting, GOOD, NOTES)
    services.runner.catch_up()
    assert views.review_queue(services.views, str(reviewer)) == []


def test_contact_team_and_names_are_readable_until_erased(services):
    case, done, stopped, declined, draft = run_a_call(services)
    app, db = services.app, services.views
    org = views.organisation(db, str(case.org))
    assert (org["contact_name"], org["contact_phone"]) == ("郑会长", "13912345678")
    assert views.application(db, str(done))["team"][0]["name"] == "郑会长"
    app.grants.erase_contact(case.member, case.org, "联系人要求删除")
    app.grants.erase_team(case.member, done, "团队成员要求删除")
    app.accounts.erase_person(case.reviewers[0][0])
    services.runner.catch_up()
    org = views.organisation(db, str(case.org))
    assert (org["contact_name"], org["contact_phone"]) == (ERASED, "")
    a = views.application(db, str(done))
    assert a["team"] == [] and a["team_erased"] == 1
    assert {s["reviewer_name"] for s in views.scores(db, str(done))} == {ERASED, "评审乙"}
    assert views.scores(db, str(done))[0]["total"] == 8000      # the scores themselves stay
    # A rebuild reads the sealed fields again: they stay gone.
    before = snapshot(services, TABLES)
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before


def test_a_rebuild_gives_the_same_rows(services):
    run_a_call(services)
    before = snapshot(services, TABLES)
    assert sum(len(rows) for rows in before.values()) > 50
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before
